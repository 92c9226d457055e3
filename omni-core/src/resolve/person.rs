//! The name features the resolver compares: a person name normalised once per record and
//! kept in compact form ([`CompactName`]: the content of a [`PersonName`](crate::ident::PersonName)
//! in two allocations), with its identity key (for counting distinct people behind a shared
//! identifier), its blocking keys, and the two judgements matching needs: how similar two
//! names are, and whether they clearly belong to different people.

use crate::ident::name::{
    blocking_keys, given_name_ids, given_names_disjoint, similarity, CompactName, NameView,
    TokenView,
};
use crate::ident::{normalize_name, NameRole};
use serde::{Deserialize, Serialize};

/// A record's name, prepared for comparison. Its serialised form is the
/// [`PersonName`](crate::ident::PersonName)'s.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct NameFeatures {
    pub name: CompactName,
}

impl NameFeatures {
    /// The features of `text`, or `None` when it has no usable name.
    pub(crate) fn new(text: &str) -> Option<NameFeatures> {
        normalize_name(text).ok().map(|name| NameFeatures {
            name: CompactName::new(&name),
        })
    }

    /// The given-name table ids the name's given-name tokens can stand for, sorted.
    pub(crate) fn given_ids(&self) -> Vec<&'static str> {
        let mut ids = Vec::new();
        self.given_ids_into(&mut ids);
        ids
    }

    /// Appends [`given_ids`](Self::given_ids) to `out` (sorted, without duplicates among
    /// them), to keep many records' ids in one buffer.
    pub(crate) fn given_ids_into(&self, out: &mut Vec<&'static str>) {
        let start = out.len();
        out.extend(
            self.name
                .tokens()
                .filter(|t| t.role() == NameRole::Given)
                .flat_map(|t| given_name_ids(t.given())),
        );
        out[start..].sort_unstable();
        let mut kept = start;
        for i in start..out.len() {
            if kept == start || out[i] != out[kept - 1] {
                out[kept] = out[i];
                kept += 1;
            }
        }
        out.truncate(kept);
    }

    /// A key equal for spellings of one person's name in either script, with a nickname or in
    /// another word order: the given name's table id (or its comparison key) and the family
    /// name's comparison key. Patronymics and middle names are left out.
    pub(crate) fn identity_key(&self) -> String {
        let first_given_id = self
            .name
            .tokens()
            .filter(|t| t.role() == NameRole::Given)
            .flat_map(|t| given_name_ids(t.given()))
            .min();
        let given = first_given_id.or_else(|| {
            self.name
                .tokens()
                .find(|t| t.role() == NameRole::Given)
                .map(|t| t.key())
        });
        let mut out = String::with_capacity(32);
        out.push_str(given.unwrap_or_default());
        out.push('|');
        for (i, t) in self
            .name
            .tokens()
            .filter(|t| t.role() == NameRole::Family)
            .enumerate()
        {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(t.key());
        }
        out
    }

    /// Keys that put records of one person into a shared block.
    pub(crate) fn blocking_keys(&self) -> Vec<String> {
        blocking_keys(&self.name)
    }

    /// Similarity in [0, 1] (see [`PersonName::similarity`](crate::ident::PersonName::similarity)).
    pub(crate) fn similarity(&self, other: &NameFeatures) -> f64 {
        similarity(&self.name, &other.name)
    }

    /// Whether two names clearly belong to different people: both have a recognised given name,
    /// the given names cannot be the same (no shared table id, so not a nickname, another
    /// script or a gender form of each other's), and the names are not similar. A shared phone
    /// alone must not merge them (a family phone, a reassigned number). Display names that are
    /// not person names (`Котик`, `ivan_p`) never count as clearly different.
    #[cfg(test)]
    pub(crate) fn clearly_different(&self, other: &NameFeatures) -> bool {
        self.given_names_disjoint(other) && self.similarity(other) < 0.6
    }

    /// Whether both names have a recognised given name and no given name of one can be one of
    /// the other's (no shared table id). Allocation-free: it runs on many compared pairs.
    pub(crate) fn given_names_disjoint(&self, other: &NameFeatures) -> bool {
        given_names_disjoint(&self.name, &other.name)
    }

    /// [`clearly_different`](Self::clearly_different) with both names' given-name ids already
    /// at hand (sorted), for comparing many pairs.
    pub(crate) fn clearly_different_given(
        &self,
        mine: &[&'static str],
        other: &NameFeatures,
        theirs: &[&'static str],
    ) -> bool {
        !mine.is_empty()
            && !theirs.is_empty()
            && !mine.iter().any(|id| theirs.binary_search(id).is_ok())
            && self.similarity(other) < 0.6
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(text: &str) -> NameFeatures {
        NameFeatures::new(text).unwrap()
    }

    #[test]
    fn one_person_in_two_scripts_has_one_identity_key() {
        assert_eq!(
            f("Иванов Александр Петрович").identity_key(),
            f("Alexander Ivanov").identity_key()
        );
        assert_eq!(
            f("Саша Иванов").identity_key(),
            f("Александр Иванов").identity_key()
        );
        assert_ne!(
            f("Мария Иванова").identity_key(),
            f("Александр Иванов").identity_key()
        );
    }

    #[test]
    fn clearly_different_needs_two_recognised_given_names() {
        assert!(f("Сергей Волков").clearly_different(&f("Елена Волкова")));
        assert!(!f("Иван").clearly_different(&f("Ivan Petrov")));
        assert!(!f("Котик").clearly_different(&f("Иван Петров")));
        assert!(!f("Саша Петров").clearly_different(&f("Alexander Petrov")));
    }
}
