//! Typed models of Tamara's JSON, one module per area of the API.
//!
//! Invariants: requests carry exactly the documented field names; responses model every
//! field as optional (young orders omit many) and ignore unknown fields; enumerations keep
//! values they do not know (`Other`) instead of failing, because Tamara adds values without
//! notice and a console must still show the order.

mod common;
pub use common::*;
pub mod checkout;
pub mod dispute;
pub mod in_store;
pub mod notification;
pub mod order;
pub mod payments;
pub mod webhooks;

/// A typed value together with the exact JSON it was read from (the UI shows the raw payload).
#[derive(Debug, Clone, PartialEq)]
pub struct WithRaw<T> {
    pub value: T,
    pub raw: serde_json::Value,
}

/// Implements `Serialize`/`Deserialize`/`Display` for a string enum with an `Other(String)`
/// catch-all, through `String`, so an unknown value never fails parsing.
macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)+
            /// A value this build does not know yet, kept verbatim.
            Other(String),
        }

        impl $name {
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Other(s) => s.as_str(),
                }
            }

            pub fn parse(s: &str) -> Self {
                match s {
                    $($text => $name::$variant,)+
                    other => $name::Other(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Ok($name::parse(&s))
            }
        }
    };
}
pub(crate) use open_enum;
