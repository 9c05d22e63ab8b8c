// English and Arabic. The language drives `<html lang dir>`, so the whole layout mirrors in
// Arabic (the CSS uses logical properties: margin-inline-start, not margin-left).
import i18n from "i18next";
import { initReactI18next } from "react-i18next";
import en from "./en";
import ar from "./ar";

export type Lang = "en" | "ar";
const STORAGE_KEY = "mizan.lang";

export function storedLanguage(): Lang | null {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return v === "ar" || v === "en" ? v : null;
  } catch {
    return null;
  }
}

export function applyDocumentLanguage(lang: string): void {
  const l: Lang = lang === "ar" ? "ar" : "en";
  document.documentElement.lang = l;
  document.documentElement.dir = l === "ar" ? "rtl" : "ltr";
}

export function setLanguage(lang: Lang): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Private mode or no storage: the choice lasts for this session only.
  }
  void i18n.changeLanguage(lang);
}

/**
 * The language the operator chose, as the shell remembers it (`AppInfo.locale`), wins over this
 * webview's storage; with neither, the system language decides.
 */
export function adoptLocale(locale: string | null | undefined): void {
  const chosen = locale ?? storedLanguage() ?? (navigator.language || "en");
  const lang: Lang = chosen.toLowerCase().startsWith("ar") ? "ar" : "en";
  if (i18n.language !== lang) void i18n.changeLanguage(lang);
}

i18n.on("languageChanged", applyDocumentLanguage);
void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, ar: { translation: ar } },
  lng: storedLanguage() ?? "en",
  fallbackLng: "en",
  interpolation: { escapeValue: false },
  returnNull: false,
});
applyDocumentLanguage(i18n.language);

export default i18n;
