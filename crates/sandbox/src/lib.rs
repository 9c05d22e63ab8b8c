//! tamara-sandbox: a simulator of Tamara's sandbox API.
