//! The name features the resolver compares: a person name normalised once per record, with its
//! identity key (for counting distinct people behind a shared identifier), its blocking keys,
//! and the comparisons matching needs.

use crate::ident::{normalize_name, PersonName};
use serde::{Deserialize, Serialize};

/// A record's name, prepared for comparison.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct NameFeatures {
    pub name: PersonName,
}

impl NameFeatures {
    /// The features of `text`, or `None` when it has no usable name.
    pub(crate) fn new(text: &str) -> Option<NameFeatures> {
        normalize_name(text).ok().map(|name| NameFeatures { name })
    }

    /// A key equal for two spellings of one person's name (script, order, nickname).
    pub(crate) fn identity_key(&self) -> String {
        let mut tokens: Vec<&str> = self.name.normalized.split(' ').collect();
        tokens.sort_unstable();
        tokens.join(" ")
    }

    /// Keys that put records of one person into a shared block.
    pub(crate) fn blocking_keys(&self) -> Vec<String> {
        let mut tokens: Vec<&str> = self.name.normalized.split(' ').collect();
        tokens.sort_unstable();
        if tokens.len() >= 2 {
            vec![format!("{} {}", tokens[0], tokens[1])]
        } else {
            Vec::new()
        }
    }

    fn tokens(&self) -> Vec<&str> {
        let mut t: Vec<&str> = self.name.normalized.split(' ').collect();
        t.sort_unstable();
        t.dedup();
        t
    }

    /// Similarity in [0, 1]: equal token sets 1, one inside the other 0.9, else their overlap.
    pub(crate) fn similarity(&self, other: &NameFeatures) -> f64 {
        let (a, b) = (self.tokens(), other.tokens());
        let shared = a.iter().filter(|t| b.contains(t)).count();
        if shared == a.len() && shared == b.len() {
            1.0
        } else if shared == a.len().min(b.len()) {
            0.9
        } else {
            shared as f64 / (a.len() + b.len() - shared) as f64
        }
    }

    /// Whether two names clearly belong to different people (full names with nothing in
    /// common), so a shared phone alone must not merge them.
    pub(crate) fn clearly_different(&self, other: &NameFeatures) -> bool {
        let cyrillic = |n: &NameFeatures| {
            n.name
                .normalized
                .chars()
                .any(|c| ('\u{0400}'..='\u{04ff}').contains(&c))
        };
        let (a, b) = (self.tokens(), other.tokens());
        cyrillic(self) == cyrillic(other)
            && a.len() >= 2
            && b.len() >= 2
            && !a.iter().any(|t| b.contains(t))
    }
}
