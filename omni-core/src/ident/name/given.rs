//! The given-name table: full given names, their spellings and cross-language equivalents, and
//! their diminutives, so that `Саша`, `Шура`, `Sasha` and `Alex` can be recognised as
//! `Александр` / `Alexander`.
//!
//! The table is the documented data file `given_names.txt` next to this module, compiled in with
//! `include_str!` and parsed once into an immutable static on first use. Every form is looked up
//! by its comparison key, so a Cyrillic entry also covers its Latin transliterations.

use super::key::{comparison_key, Gender};
use super::text::fold_word;
use std::collections::HashMap;
use std::sync::LazyLock;

/// The table's source text (see its header for the format).
pub(crate) const GIVEN_NAMES_TABLE: &str = include_str!("given_names.txt");

/// Index of a name group in [`GivenNames::groups`].
pub(crate) type GroupId = u16;

/// One given name across languages: `Александр` / `Alexander` with all their forms.
#[derive(Debug)]
pub(crate) struct Group {
    /// Stable ASCII id from the data file (`alexander`).
    pub id: &'static str,
    /// Gender of the name, when every line of the group agrees.
    pub gender: Option<Gender>,
    /// The canonical Cyrillic full form (`Александр`), if the group has a Russian line.
    pub russian: Option<&'static str>,
    /// The key of [`Group::russian`].
    pub russian_key: Option<String>,
    /// The canonical English full form (`Alexander`), if the group has an English line.
    pub english: Option<&'static str>,
    /// Keys of every full form (not diminutives), to match initials (`А.` for `Саша`).
    pub full_keys: Vec<String>,
    /// The group of the other gender's form of this name (`Александра` for `Александр`).
    pub pair: Option<GroupId>,
}

/// The parsed table.
#[derive(Debug)]
pub(crate) struct GivenNames {
    /// Every name group, in file order.
    pub groups: Vec<Group>,
    /// For each distinct key: the groups whose forms have that key (sorted, deduplicated).
    sets: Vec<Vec<GroupId>>,
    by_key: HashMap<String, u32>,
    /// Number of lines per language, `(russian, english)`.
    pub lines: (usize, usize),
    /// Lines the parser could not read (the table's own test requires none).
    pub malformed: Vec<String>,
}

/// A set of name groups, as an index into the table (equal sets may have different indexes
/// only if they came from different keys).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct GroupSet(u32);

impl GivenNames {
    fn parse(text: &'static str) -> GivenNames {
        let mut names = GivenNames {
            groups: Vec::new(),
            sets: Vec::new(),
            by_key: HashMap::new(),
            lines: (0, 0),
            malformed: Vec::new(),
        };
        let mut group_index: HashMap<&'static str, GroupId> = HashMap::new();
        let mut key_groups: Vec<(String, GroupId)> = Vec::new();
        let mut pairs: Vec<(&'static str, &'static str)> = Vec::new();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let fields: Vec<&'static str> = line.split('|').map(str::trim).collect();
            if fields.len() == 3 && fields[0] == "pair" {
                pairs.push((fields[1], fields[2]));
                continue;
            }
            let gender = match fields.get(2) {
                Some(&"m") => Gender::Male,
                Some(&"f") => Gender::Female,
                _ => {
                    names.malformed.push(line.to_string());
                    continue;
                }
            };
            let russian = match fields.get(1) {
                Some(&"ru") => true,
                Some(&"en") => false,
                _ => {
                    names.malformed.push(line.to_string());
                    continue;
                }
            };
            let (id, full, diminutives) = match fields.as_slice() {
                [id, _, _, full, dim] if !id.is_empty() && !full.is_empty() => (*id, *full, *dim),
                _ => {
                    names.malformed.push(line.to_string());
                    continue;
                }
            };
            let g = *group_index.entry(id).or_insert_with(|| {
                names.groups.push(Group {
                    id,
                    gender: Some(gender),
                    russian: None,
                    russian_key: None,
                    english: None,
                    full_keys: Vec::new(),
                    pair: None,
                });
                (names.groups.len() - 1) as GroupId
            });
            let group = &mut names.groups[g as usize];
            if group.gender != Some(gender) {
                group.gender = None;
            }
            let full_forms: Vec<&'static str> = list(full).collect();
            if russian {
                names.lines.0 += 1;
                group.russian = group.russian.or(full_forms.first().copied());
                group.russian_key = full_forms.first().map(|f| comparison_key(&fold_word(f)));
            } else {
                names.lines.1 += 1;
                group.english = group.english.or(full_forms.first().copied());
            }
            for form in &full_forms {
                let key = comparison_key(&fold_word(form));
                if !group.full_keys.contains(&key) {
                    group.full_keys.push(key.clone());
                }
                key_groups.push((key, g));
            }
            for form in list(diminutives) {
                key_groups.push((comparison_key(&fold_word(form)), g));
            }
        }
        for (a, b) in pairs {
            match (group_index.get(a), group_index.get(b)) {
                (Some(&ga), Some(&gb)) => {
                    names.groups[ga as usize].pair = Some(gb);
                    names.groups[gb as usize].pair = Some(ga);
                }
                _ => names.malformed.push(format!("pair | {a} | {b}")),
            }
        }
        let mut by_key: HashMap<String, Vec<GroupId>> = HashMap::new();
        for (key, g) in key_groups {
            if key.is_empty() {
                continue;
            }
            let set = by_key.entry(key).or_default();
            if !set.contains(&g) {
                set.push(g);
            }
        }
        for (key, mut set) in by_key {
            set.sort_unstable();
            names.by_key.insert(key, names.sets.len() as u32);
            names.sets.push(set);
        }
        names
    }

    /// The groups a token with this comparison key can stand for.
    pub fn lookup(&self, key: &str) -> Option<GroupSet> {
        self.by_key.get(key).map(|&i| GroupSet(i))
    }

    /// The groups in a set.
    pub fn groups_of(&self, set: GroupSet) -> &[GroupId] {
        self.sets.get(set.0 as usize).map_or(&[], Vec::as_slice)
    }

    /// The group with this index.
    pub fn group(&self, id: GroupId) -> &Group {
        &self.groups[id as usize]
    }

    /// Whether two sets share a group: the tokens are the same given name.
    pub fn same_name(&self, a: GroupSet, b: GroupSet) -> bool {
        if a == b {
            return true;
        }
        let (a, b) = (self.groups_of(a), self.groups_of(b));
        a.iter().any(|g| b.contains(g))
    }

    /// Whether a group of one set is the other-gender form of a group of the other set.
    pub fn gender_pair(&self, a: GroupSet, b: GroupSet) -> bool {
        let b = self.groups_of(b);
        self.groups_of(a)
            .iter()
            .any(|&g| self.group(g).pair.is_some_and(|p| b.contains(&p)))
    }

    /// The gender of a set, when all its groups agree.
    pub fn gender(&self, set: GroupSet) -> Option<Gender> {
        let mut groups = self.groups_of(set).iter().map(|&g| self.group(g).gender);
        let first = groups.next()??;
        groups.all(|g| g == Some(first)).then_some(first)
    }

    /// Whether an initial with key `initial` can stand for a name of this set (`А` for `Саша`).
    pub fn initial_matches(&self, set: GroupSet, initial: &str) -> bool {
        self.groups_of(set).iter().any(|&g| {
            self.group(g)
                .full_keys
                .iter()
                .any(|k| k.starts_with(initial))
        })
    }
}

fn list(field: &'static str) -> impl Iterator<Item = &'static str> {
    field.split(',').map(str::trim).filter(|s| !s.is_empty())
}

static GIVEN_NAMES: LazyLock<GivenNames> = LazyLock::new(|| GivenNames::parse(GIVEN_NAMES_TABLE));

/// The compiled-in given-name table.
pub(crate) fn given_names() -> &'static GivenNames {
    &GIVEN_NAMES
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(name: &str) -> Vec<&'static str> {
        let table = given_names();
        table
            .lookup(&comparison_key(&fold_word(name)))
            .map(|set| {
                table
                    .groups_of(set)
                    .iter()
                    .map(|&g| table.group(g).id)
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn table_parses_completely_and_is_large_enough() {
        let table = given_names();
        assert!(table.malformed.is_empty(), "{:?}", table.malformed);
        let (russian, english) = table.lines;
        assert!(russian >= 120, "{russian} Russian names");
        assert!(english >= 120, "{english} English names");
        for g in &table.groups {
            assert!(g.gender.is_some(), "{} has lines of both genders", g.id);
        }
    }

    #[test]
    fn diminutives_lead_to_their_full_names() {
        for (nick, full) in [
            ("Саша", "alexander"),
            ("Шура", "alexander"),
            ("Саня", "alexander"),
            ("Sasha", "alexander"),
            ("Alex", "alexander"),
            ("Катя", "catherine"),
            ("Kate", "catherine"),
            ("Katie", "catherine"),
            ("Екатерина", "catherine"),
            ("Ekaterina", "catherine"),
            ("Bill", "william"),
            ("Billy", "william"),
            ("Will", "william"),
            ("Ваня", "ivan"),
            ("Vanya", "ivan"),
            ("Лёша", "alexey"),
            ("Женя", "eugene"),
            ("Женя", "eugenia"),
            ("Bob", "robert"),
            ("Peggy", "margaret"),
        ] {
            assert!(groups(nick).contains(&full), "{nick} -> {:?}", groups(nick));
        }
    }

    #[test]
    fn the_two_genders_of_a_name_never_share_a_form() {
        // Otherwise Евгений would compare equal to Евгения through the shared key.
        let table = given_names();
        for (index, group) in table.groups.iter().enumerate() {
            let Some(pair) = group.pair else { continue };
            for key in &group.full_keys {
                let set = table.lookup(key).unwrap();
                assert!(
                    !table.groups_of(set).contains(&pair),
                    "{} and {} share the form {key:?}",
                    group.id,
                    table.group(pair).id
                );
                assert!(table.groups_of(set).contains(&(index as GroupId)));
            }
        }
    }

    #[test]
    fn a_full_name_is_one_name_unless_it_is_also_a_known_shortening() {
        // A full form whose key also belongs to another group makes the two names equal.
        // These are deliberate: the full name is also a usual shortening of the other.
        let allowed = [
            ("Jon", ["john", "jonathan"]),
            ("leo", ["leo", "leonard"]),
            ("neil", ["neil", "cornelius"]),
            // Кира is a woman's name and a man's Кирилл for short.
            ("kira", ["kirill", "kira"]),
        ];
        let table = given_names();
        let mut shared = Vec::new();
        for (key, &i) in &table.by_key {
            let set = &table.sets[i as usize];
            let full = set.iter().any(|&g| table.group(g).full_keys.contains(key));
            if full && set.len() > 1 {
                let ids: Vec<&str> = set.iter().map(|&g| table.group(g).id).collect();
                if !allowed.iter().any(|(k, a)| k == key && a[..] == ids[..]) {
                    shared.push(format!("{key}: {ids:?}"));
                }
            }
        }
        assert!(shared.is_empty(), "{shared:?}");
    }

    #[test]
    fn distinct_names_stay_distinct() {
        let table = given_names();
        let set = |n: &str| table.lookup(&comparison_key(&fold_word(n))).unwrap();
        assert!(!table.same_name(set("Мария"), set("Марина")));
        assert!(!table.same_name(set("Алексей"), set("Александр")));
        assert!(!table.same_name(set("Иван"), set("John")));
        assert!(table.same_name(set("Михаил"), set("Michael")));
        assert!(table.gender_pair(set("Александр"), set("Александра")));
        assert!(!table.gender_pair(set("Александр"), set("Мария")));
        assert_eq!(table.gender(set("Ольга")), Some(Gender::Female));
        assert_eq!(table.gender(set("Саша")), None);
        assert!(table.initial_matches(set("Саша"), "a"));
    }
}
