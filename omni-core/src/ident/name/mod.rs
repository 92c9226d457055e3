//! Person names: a normalised form and a similarity that sees through scripts, nicknames,
//! word order, patronymics, initials and typos.
//!
//! [`normalize_name`] computes once everything a comparison needs, so that identity
//! resolution can normalise each record's name once and compare many pairs cheaply:
//!
//! - `normalized`: NFKC, full case folding, `ё` -> `е`, punctuation and honorifics (`г-н`,
//!   `Mr.`, `Dr.`, `ИП`, `Jr.`) removed, single spaces;
//! - per token: a script-independent comparison key (`Александр`, `Aleksandr` and `Alexandr`
//!   share `aleksandr`), whether it is an initial or a patronymic (`-ович`, `-евна`,
//!   `-ovich`, ...), and which full given names it can stand for (`Саша` -> Александр or
//!   Александра, from the compiled-in table of Russian and English names and diminutives);
//! - guesses for survivorship: `given`, `family`, `patronymic`, `gender` and a `display` form:
//!   one word before the only comma is the family name (`Беннетт, Майкл`); a `-ович` word after
//!   a given name of the other gender is a surname (`Елена Осенович`); with one initial and one
//!   word, the word is the family name (`Э. Скотт`);
//! - a Russian name typed with the keyboard in the Latin layout (`Dkflbvbh Wjq`) is read as the
//!   Cyrillic it was meant to be (`владимир цой`) when the Latin text is vowel-poor and the
//!   Cyrillic reading has a longer known given name; `original` keeps what was typed.
//!
//! [`PersonName::similarity`] is in `[0, 1]` and order-independent. Bands used by the tests and
//! meant for callers:
//!
//! | score        | meaning                                                                  |
//! |--------------|--------------------------------------------------------------------------|
//! | `>= 0.9`     | same name: script, case, nickname, order, missing patronymic, small typo |
//! | `0.75..0.9`  | likely: an initial for a full name, typos in several tokens              |
//! | `0.6..0.75`  | possible: one side lacks the family or given name; gender forms          |
//! | `< 0.6`      | different: another given name or another family name                    |
//!
//! Relatives stay below 0.6 (`Иван Петров` / `Мария Петрова`; `Ivan Petrov` / `Ivan Sidorov`
//! is 0.5), and so do the same tokens in swapped roles with different people
//! (`Иван Петров` / `Пётр Иванов`: 0). The masculine and feminine forms of one name
//! (`Александр Иванов` / `Александра Иванова`) score [`GENDER_FORM`] = 0.7: related,
//! below "same", because they are most often two people (siblings, spouses).
//!
//! Known limits, by design: a one-letter difference is read as a typo, so distinct surnames
//! one letter apart (`Иванов` / `Иванцов`) score as the same (a resolver should weigh names
//! with other evidence); Latin `x` is read as `ks` (`Alexander`), not as `Х` (Uzbek
//! `Xolmatov`); a word-initial `j` is read as in English (`John`, `Julia`), so German-style
//! `Jurij` does not share a key with `Yuri`, though `Julia` and `Yulia` are one name through the
//! table; cognates are joined only where the English form is the usual rendering (`Пётр` =
//! `Peter`), not `Иван` / `John`.
//!
//! ```
//! use omni_core::{name_similarity, normalize_name};
//!
//! let name = normalize_name("г-н ИВАНОВ Иван Иванович").unwrap();
//! assert_eq!(name.normalized, "иванов иван иванович");
//! assert_eq!(name.family.as_deref(), Some("Иванов"));
//! assert_eq!(name.patronymic.as_deref(), Some("Иванович"));
//! assert_eq!(name.display, "Иван Иванович Иванов");
//!
//! assert!(name_similarity("Иванов Иван Иванович", "Ivan Ivanov") >= 0.9);
//! assert!(name_similarity("Саша Петров", "Alexander Petrov") >= 0.9);
//! assert!(name_similarity("Bill Hartley", "William Hartley") >= 0.9);
//! assert!(name_similarity("Иван Петров", "Пётр Иванов") < 0.6);
//! ```

mod blocking;
mod compact;
mod given;
mod key;
mod similarity;
mod text;

use crate::error::{Error, ErrorKind, Result};
use given::{given_names, GroupSet};
use serde::{Deserialize, Serialize, Serializer};

pub(crate) use blocking::blocking_keys;
pub(crate) use compact::CompactName;
pub(crate) use key::comparison_key;
pub use key::Gender;
pub(crate) use similarity::similarity;
pub use similarity::{GENDER_FORM, GENDER_MISMATCH_CAP, INITIAL_MATCH, SAME_TOKEN};

/// The longest name input accepted, in bytes.
pub const MAX_NAME_INPUT: usize = 512;

/// What a token of a name most likely is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameRole {
    /// The given (first) name: `Иван`, `Саша`, `Bill`.
    Given,
    /// The family name (surname): `Иванов`, `Smith`.
    Family,
    /// The Russian patronymic: `Иванович`, `Петровна`.
    Patronymic,
    /// Any other token: an English middle name, a second given name or initial.
    Middle,
}

/// How a token takes part in comparisons; unlike [`NameRole`] it does not depend on word order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum TokenKind {
    /// A full word that is not a patronymic.
    Full,
    /// A single letter.
    Initial,
    /// A word with a patronymic ending.
    Patronymic,
    /// A particle (`van`, `де`, `оглы`): kept for display, left out of comparisons.
    Particle,
}

impl TokenKind {
    /// The kind's number in the binary form of a name.
    fn saved(self) -> u8 {
        match self {
            TokenKind::Full => 0,
            TokenKind::Initial => 1,
            TokenKind::Patronymic => 2,
            TokenKind::Particle => 3,
        }
    }
}

/// The gender a surname or patronymic form marks, and the length of its key without the
/// gender ending (`ivanov` for both `ivanov` and `ivanova`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Form {
    pub gender: Gender,
    pub stem_len: u8,
}

/// Bit sets (group index modulo 64) of a token's given-name groups and of their other-gender
/// pairs: disjoint bits mean no shared group and no gender pair.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct GroupBits {
    pub bits: u64,
    pub pair_bits: u64,
}

impl GroupBits {
    fn of(set: Option<GroupSet>) -> GroupBits {
        let table = given_names();
        let mut out = GroupBits::default();
        for &g in set.map_or(&[][..], |s| table.groups_of(s)) {
            out.bits |= 1 << (g % 64);
            if let Some(p) = table.group(g).pair {
                out.pair_bits |= 1 << (p % 64);
            }
        }
        out
    }
}

/// One token of a normalised name (hyphenated names are one token per part).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NameToken {
    /// The token normalised: NFKC, case-folded, `ё` as `е` (`"саша"`).
    pub text: String,
    /// The script-independent comparison key (`"sasha"` for both `Саша` and `Sasha`). Keys are
    /// for comparison and blocking only, not a readable transliteration.
    pub key: String,
    /// What the token most likely is in this name.
    pub role: NameRole,
    /// Whether the token is a single letter (`И.`).
    pub initial: bool,
    /// Ids of the given names (from the given-name table) this token can stand for:
    /// `["alexander", "alexandra"]` for `Саша`; empty when it is not a known given name.
    #[serde(rename = "given_name_ids", serialize_with = "serialize_groups")]
    pub(crate) given: Option<GroupSet>,
    #[serde(skip)]
    pub(crate) kind: TokenKind,
    #[serde(skip)]
    pub(crate) form: Option<Form>,
    /// The given-name groups as bit sets, to rule out most pairs without the table.
    #[serde(skip)]
    pub(crate) groups: GroupBits,
    /// Fingerprint of `key`, to compare keys without comparing bytes.
    #[serde(skip)]
    pub(crate) hash: u64,
    /// Bytes of `key` as counting bit planes, to bound the similarity of two keys cheaply.
    #[serde(skip)]
    pub(crate) planes: [u64; 3],
    /// The first four bytes of `key`.
    #[serde(skip)]
    pub(crate) head: u32,
    /// Whether a hyphen joins this token to the previous one (`Анна-Мария`).
    #[serde(skip)]
    hyphen_before: bool,
    /// Index of the word this token belongs to.
    #[serde(skip)]
    word: u16,
}

impl NameToken {
    /// Ids of the given names this token can stand for (see the field in the JSON form).
    pub fn given_name_ids(&self) -> Vec<&'static str> {
        group_ids(self.given)
    }
}

/// Ids of the given names (from the given-name table) a token with these groups can stand
/// for, without allocating.
pub(crate) fn given_name_ids(given: Option<GroupSet>) -> impl Iterator<Item = &'static str> {
    let table = given_names();
    given
        .map_or(&[][..], |set| table.groups_of(set))
        .iter()
        .map(move |&g| table.group(g).id)
}

fn group_ids(given: Option<GroupSet>) -> Vec<&'static str> {
    let table = given_names();
    given.map_or_else(Vec::new, |set| {
        table
            .groups_of(set)
            .iter()
            .map(|&g| table.group(g).id)
            .collect()
    })
}

fn serialize_groups<S: Serializer>(
    given: &Option<GroupSet>,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    group_ids(*given).serialize(serializer)
}

/// A normalised person name with everything comparison, blocking and display need.
///
/// Build it with [`normalize_name`]. The JSON form carries every public field; reading JSON
/// back normalises `original` again (the other fields follow from it). Binary formats (omni's
/// snapshots) carry what normalising computed, so reading them back does not normalise again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonName {
    /// The name as given, trimmed.
    pub original: String,
    /// Normalised form: NFKC, case-folded, `ё` -> `е`, punctuation and honorifics removed,
    /// single spaces (`"г-н ИВАНОВ Иван"` -> `"иванов иван"`).
    pub normalized: String,
    /// A display form: capitalised, given name first, then middle names or patronymic, then
    /// family name (`"Иван Иванович Иванов"`); spellings with inner capitals (`McAllister`) and
    /// `ё` are kept as written.
    pub display: String,
    /// The given name as written (`"Саша"`), if one was recognised.
    pub given: Option<String>,
    /// The full form of the given name when it is a known name or nickname, in the script it
    /// was written in (`"Александр"` for `Саша`, `"William"` for `Bill`).
    pub given_canonical: Option<String>,
    /// The family name as written, if one was recognised.
    pub family: Option<String>,
    /// The patronymic as written, if there is one.
    pub patronymic: Option<String>,
    /// The gender the name marks (given name, patronymic or Russian surname form), when clear.
    pub gender: Option<Gender>,
    /// The tokens in written order.
    pub tokens: Vec<NameToken>,
    /// Token indexes in comparison order (by key), so comparisons do not depend on word order.
    compare_order: Vec<u8>,
    /// Fingerprint of the comparison data, for a cheap canonical order of two names.
    signature: u64,
}

/// What the JSON form of a [`PersonName`] is read from.
#[derive(Deserialize)]
#[serde(rename = "PersonName")]
struct PersonNameSource {
    original: String,
}

/// The JSON form of a [`PersonName`]: its public fields.
#[derive(Serialize)]
#[serde(rename = "PersonName")]
struct JsonName<'a> {
    original: &'a str,
    normalized: &'a str,
    display: &'a str,
    given: &'a Option<String>,
    given_canonical: &'a Option<String>,
    family: &'a Option<String>,
    patronymic: &'a Option<String>,
    gender: &'a Option<Gender>,
    tokens: &'a [NameToken],
}

/// The binary form of a [`NameToken`]: text, key, role, initial, kind, form (gender and stem
/// length), hyphen before, word. The given-name groups are looked up again from the key (so
/// a later given-name table is applied, never an index into an older one); the key's
/// fingerprints are computed again.
type SavedToken<S> = (S, S, NameRole, bool, u8, Option<(Gender, u8)>, bool, u16);

/// The binary form of a [`PersonName`]: its public fields with saved tokens. The comparison
/// order and signature are computed again from the tokens.
type SavedName<S, T> = (
    S,
    S,
    S,
    Option<S>,
    Option<S>,
    Option<S>,
    Option<S>,
    Option<Gender>,
    Vec<T>,
);

impl Serialize for PersonName {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            return JsonName {
                original: &self.original,
                normalized: &self.normalized,
                display: &self.display,
                given: &self.given,
                given_canonical: &self.given_canonical,
                family: &self.family,
                patronymic: &self.patronymic,
                gender: &self.gender,
                tokens: &self.tokens,
            }
            .serialize(serializer);
        }
        let tokens: Vec<SavedToken<&str>> = self
            .tokens
            .iter()
            .map(|t| {
                (
                    t.text.as_str(),
                    t.key.as_str(),
                    t.role,
                    t.initial,
                    t.kind.saved(),
                    t.form.map(|f| (f.gender, f.stem_len)),
                    t.hyphen_before,
                    t.word,
                )
            })
            .collect();
        let saved: SavedName<&str, SavedToken<&str>> = (
            &self.original,
            &self.normalized,
            &self.display,
            self.given.as_deref(),
            self.given_canonical.as_deref(),
            self.family.as_deref(),
            self.patronymic.as_deref(),
            self.gender,
            tokens,
        );
        saved.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for PersonName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::Error as _;
        if d.is_human_readable() {
            let source = PersonNameSource::deserialize(d)?;
            return normalize_name(&source.original).map_err(D::Error::custom);
        }
        let saved: SavedName<String, SavedToken<String>> = Deserialize::deserialize(d)?;
        let (original, normalized, display, given, given_canonical, family, patronymic) = (
            saved.0, saved.1, saved.2, saved.3, saved.4, saved.5, saved.6,
        );
        let gender = saved.7;
        let mut tokens = Vec::with_capacity(saved.8.len());
        for (text, key, role, initial, kind, form, hyphen_before, word) in saved.8 {
            let kind = match kind {
                0 => TokenKind::Full,
                1 => TokenKind::Initial,
                2 => TokenKind::Patronymic,
                3 => TokenKind::Particle,
                k => return Err(D::Error::custom(format!("unknown name token kind {k}"))),
            };
            let given = if kind == TokenKind::Full {
                given_names().lookup(&key)
            } else {
                None
            };
            tokens.push(NameToken {
                text,
                hash: key::key_hash(&key),
                planes: key::key_planes(&key),
                head: key::key_head(&key),
                key,
                role,
                initial,
                given,
                groups: GroupBits::of(given),
                kind,
                form: form.map(|(gender, stem_len)| Form { gender, stem_len }),
                hyphen_before,
                word,
            });
        }
        if tokens.is_empty() {
            return Err(D::Error::custom("a saved name without tokens"));
        }
        let (compare_order, signature) = comparison_order(&tokens, gender);
        Ok(PersonName {
            original,
            normalized,
            display,
            given,
            given_canonical,
            family,
            patronymic,
            gender,
            tokens,
            compare_order,
            signature,
        })
    }
}

/// The token indexes in comparison order (by key; particles left out) and the fingerprint of
/// the comparison data.
fn comparison_order(tokens: &[NameToken], gender: Option<Gender>) -> (Vec<u8>, u64) {
    let mut compare_order: Vec<u8> = (0..tokens.len().min(u8::MAX as usize) as u8)
        .filter(|&i| tokens[i as usize].kind != TokenKind::Particle)
        .collect();
    compare_order.sort_by(|&x, &y| {
        let (x, y) = (&tokens[x as usize], &tokens[y as usize]);
        (x.key.as_str(), x.kind, x.form).cmp(&(y.key.as_str(), y.kind, y.form))
    });
    let signature = compare_order.iter().map(|&i| &tokens[i as usize]).fold(
        gender.map_or(0, |g| g as u64 + 1),
        |h, t| {
            let form = t
                .form
                .map_or(0, |f| (f.gender as u64 + 1) << 8 | u64::from(f.stem_len));
            (h.rotate_left(17) ^ t.hash ^ (t.kind as u64) << 40 ^ form)
                .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        },
    );
    (compare_order, signature)
}

impl PersonName {
    /// How similar this name is to `other`, from 0 (unrelated) to 1 (the same name); see the
    /// [module documentation](self) for the bands.
    ///
    /// Symmetric, independent of word order, 1.0 for a name with itself.
    ///
    /// # Example
    /// ```
    /// use omni_core::normalize_name;
    ///
    /// let a = normalize_name("Иванов Иван Иванович").unwrap();
    /// let b = normalize_name("Ivan Ivanov").unwrap();
    /// assert!(a.similarity(&b) >= 0.9);
    /// ```
    pub fn similarity(&self, other: &PersonName) -> f64 {
        similarity::similarity(self, other)
    }

    /// Short blocking keys: two spellings of the same person's name (Cyrillic or Latin, a
    /// nickname, swapped order, a typo) share at least one key with high probability, while
    /// each key is shared by few unrelated people.
    ///
    /// Keys combine the start of a consonant skeleton of the family name with the given
    /// name's initial (`fp:`), and the given name (its table id when known, so nicknames
    /// agree) with the first two letters of the family name (`gf:`). A name with only a given
    /// name or only a family name yields broad keys (`g:`, `f:`); callers should cap the size
    /// of such blocks. On generated data the keys find 97.6% of true pairs with 2.2 keys per
    /// record (measured by the integration test `blocking_keys_find_most_true_pairs_in_small_blocks`).
    ///
    /// # Example
    /// ```
    /// use omni_core::normalize_name;
    ///
    /// let a = normalize_name("Саша Петров").unwrap().blocking_keys();
    /// let b = normalize_name("Petrov Alexander").unwrap().blocking_keys();
    /// assert!(a.iter().any(|k| b.contains(k)));
    /// ```
    pub fn blocking_keys(&self) -> Vec<String> {
        blocking::blocking_keys(self)
    }

    /// How well the family names agree (see [`family_similarity`]).
    #[cfg(test)]
    pub(crate) fn family_similarity(&self, other: &PersonName) -> Option<f64> {
        family_similarity(self, other)
    }

    /// Whether a given name of one can be a given name of the other (see
    /// [`given_names_shared`]).
    #[cfg(test)]
    pub(crate) fn given_names_shared(&self, other: &PersonName) -> bool {
        given_names_shared(self, other)
    }

    /// Whether a handle spells this name's family name (see [`family_in_handle`]).
    #[cfg(test)]
    pub(crate) fn family_in_handle(&self, handle: &str) -> bool {
        family_in_handle(self, handle)
    }

    /// Whether a handle spells this family name with another person's given name (see
    /// [`handle_names_someone_else`]).
    #[cfg(test)]
    pub(crate) fn handle_names_someone_else(&self, handle: &str) -> bool {
        handle_names_someone_else(self, handle)
    }
}

/// Read access to one token's comparison data, whichever way the name is stored (a
/// [`NameToken`] of a [`PersonName`], or a token of a [`CompactName`]).
pub(crate) trait TokenView<'a>: Copy {
    /// The normalised text (see [`NameToken::text`]).
    fn text(self) -> &'a str;
    /// The comparison key (see [`NameToken::key`]).
    fn key(self) -> &'a str;
    /// The role in the name.
    fn role(self) -> NameRole;
    /// Whether the token is a single letter.
    fn initial(self) -> bool;
    /// The given-name table entries the token can stand for.
    fn given(self) -> Option<GroupSet>;
    /// How the token takes part in comparisons.
    fn kind(self) -> TokenKind;
    /// The gender form of a surname or patronymic.
    fn form(self) -> Option<Form>;
    /// The given-name groups as bit sets.
    fn groups(self) -> GroupBits;
    /// Fingerprint of the key.
    fn hash(self) -> u64;
    /// The key's bytes as counting bit planes.
    fn planes(self) -> [u64; 3];
    /// The first four bytes of the key.
    fn head(self) -> u32;
}

impl<'a> TokenView<'a> for &'a NameToken {
    fn text(self) -> &'a str {
        &self.text
    }
    fn key(self) -> &'a str {
        &self.key
    }
    fn role(self) -> NameRole {
        self.role
    }
    fn initial(self) -> bool {
        self.initial
    }
    fn given(self) -> Option<GroupSet> {
        self.given
    }
    fn kind(self) -> TokenKind {
        self.kind
    }
    fn form(self) -> Option<Form> {
        self.form
    }
    fn groups(self) -> GroupBits {
        self.groups
    }
    fn hash(self) -> u64 {
        self.hash
    }
    fn planes(self) -> [u64; 3] {
        self.planes
    }
    fn head(self) -> u32 {
        self.head
    }
}

/// Read access to what comparing and blocking a name need, whichever way it is stored: the
/// public [`PersonName`], or the resolver's [`CompactName`]. Comparisons are written once,
/// over this trait, so both forms give the same answers.
pub(crate) trait NameView {
    /// A token as the name hands it out.
    type Token<'a>: TokenView<'a>
    where
        Self: 'a;
    /// Token `i` in written order (`i < token_count()`).
    fn token(&self, i: usize) -> Self::Token<'_>;
    /// How many tokens.
    fn token_count(&self) -> usize;
    /// The tokens in written order.
    fn tokens(&self) -> impl Iterator<Item = Self::Token<'_>> + Clone {
        (0..self.token_count()).map(move |i| self.token(i))
    }
    /// Token indexes in comparison order.
    fn compare_order(&self) -> &[u8];
    /// Fingerprint of the comparison data.
    fn signature(&self) -> u64;
    /// The gender the name marks.
    fn gender(&self) -> Option<Gender>;
}

impl NameView for PersonName {
    type Token<'a> = &'a NameToken;
    fn token(&self, i: usize) -> &NameToken {
        &self.tokens[i]
    }
    fn token_count(&self) -> usize {
        self.tokens.len()
    }
    fn compare_order(&self) -> &[u8] {
        &self.compare_order
    }
    fn signature(&self) -> u64 {
        self.signature
    }
    fn gender(&self) -> Option<Gender> {
        self.gender
    }
}

/// How well the family names agree, from 0 to 1: for each name's family-name tokens, the
/// best token similarity with any word of the other name (so a wrong guess of which word is
/// the family name does not matter), the lower of the two sides. `None` when either name has
/// no family name.
pub(crate) fn family_similarity<N: NameView>(a: &N, b: &N) -> Option<f64> {
    fn one_way<N: NameView>(a: &N, b: &N) -> Option<f64> {
        a.tokens()
            .filter(|t| t.role() == NameRole::Family && !t.initial())
            .map(|f| {
                b.tokens()
                    .filter(|t| !t.initial() && t.kind() != TokenKind::Particle)
                    .map(|t| similarity::token_similarity(f, t))
                    .fold(0.0f64, f64::max)
            })
            .reduce(f64::max)
    }
    Some(one_way(a, b)?.min(one_way(b, a)?))
}

/// Whether a given name of one can be a given name of the other (a shared given-name table
/// entry: the same name, a nickname or another script). Allocation-free.
pub(crate) fn given_names_shared<N: NameView>(a: &N, b: &N) -> bool {
    let table = given_names();
    a.tokens()
        .filter(|t| t.role() == NameRole::Given)
        .filter_map(|t| t.given())
        .any(|ga| {
            b.tokens()
                .filter(|t| t.role() == NameRole::Given)
                .filter_map(|t| t.given())
                .any(|gb| table.same_name(ga, gb))
        })
}

/// Whether an email local part or username as typed (`ostrovskii_a`, `maryjohnson85`) spells
/// the name's family name: a part between separators has the family name's comparison key,
/// or the letters contain the start of its Latin spelling (all but the last two letters, at
/// least four: endings are spelt many ways).
pub(crate) fn family_in_handle<N: NameView>(name: &N, handle: &str) -> bool {
    let letters: String = handle
        .chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    name.tokens()
        .filter(|t| t.role() == NameRole::Family && !t.initial() && t.key().len() >= 4)
        .any(|family| {
            let latin = if family.text().chars().any(is_cyrillic) {
                key::readable_latin(family.text()).to_ascii_lowercase()
            } else {
                family.text().to_string()
            };
            let len = latin.chars().count();
            let stem: String = latin.chars().take(len.saturating_sub(2).max(4)).collect();
            (stem.len() >= 4 && letters.contains(&stem))
                || handle
                    .split(|c: char| !c.is_alphabetic())
                    .any(|part| part.len() >= 4 && comparison_key(part).contains(family.key()))
        })
}

/// Whether a username or email local part (as a comparison key, `aleksandrakiseleva`) spells
/// the name's family name together with another person's given name: the handle minus the
/// family name (and digits, dots, underscores) is a known given name that none of the name's
/// recognised given names can be (`Лена Киселева` against `aleksandra_kiseleva`).
pub(crate) fn handle_names_someone_else<N: NameView>(name: &N, handle: &str) -> bool {
    let table = given_names();
    let mine: Vec<GroupSet> = name
        .tokens()
        .filter(|t| t.role() == NameRole::Given)
        .filter_map(|t| t.given())
        .collect();
    if mine.is_empty() {
        return false;
    }
    name.tokens()
        .filter(|t| t.role() == NameRole::Family && !t.initial() && t.key().len() >= 4)
        .any(|family| {
            let Some(at) = handle.find(family.key()) else {
                return false;
            };
            let rest = |s: &str| {
                s.trim_matches(|c: char| !c.is_ascii_alphabetic())
                    .to_string()
            };
            let (before, after) = (
                rest(&handle[..at]),
                rest(&handle[at + family.key().len()..]),
            );
            // A surname's feminine or plural ending left over (`kiselev` in `kiseleva`).
            let other = match (before.len() >= 3, after.len() >= 3) {
                (true, false) => before,
                (false, true) => after,
                _ => return false,
            };
            table
                .lookup(&other)
                .is_some_and(|set| !mine.iter().any(|&g| table.same_name(g, set)))
        })
}

/// Whether both names have a recognised given name and no given name of one can be one of
/// the other's (no shared given-name table entry: not a nickname, another script or the
/// same name). Allocation-free, for comparing many pairs.
pub(crate) fn given_names_disjoint<N: NameView>(a: &N, b: &N) -> bool {
    let table = given_names();
    let mut any_mine = false;
    for x in a.tokens().filter(|t| t.role() == NameRole::Given) {
        let Some(ga) = x.given() else { continue };
        any_mine = true;
        let mut any_theirs = false;
        for y in b.tokens().filter(|t| t.role() == NameRole::Given) {
            let Some(gb) = y.given() else { continue };
            any_theirs = true;
            if table.same_name(ga, gb) {
                return false;
            }
        }
        if !any_theirs {
            return false;
        }
    }
    any_mine
}

/// Normalises a person name (see the [module documentation](self)).
///
/// # Errors
/// [`ErrorKind::InvalidName`] when no letters are left once punctuation and honorifics are
/// removed, or only initials are; [`ErrorKind::InputTooLarge`] above [`MAX_NAME_INPUT`] bytes.
///
/// # Example
/// ```
/// use omni_core::normalize_name;
///
/// let name = normalize_name("Mr. BILL o'brien").unwrap();
/// assert_eq!(name.normalized, "bill o'brien");
/// assert_eq!(name.given_canonical.as_deref(), Some("William"));
/// assert_eq!(name.display, "Bill O'Brien");
/// ```
pub fn normalize_name(text: &str) -> Result<PersonName> {
    if text.len() > MAX_NAME_INPUT {
        return Err(Error::too_large("name input", text.len(), MAX_NAME_INPUT));
    }
    let name = normalize_written(text);
    // The longest word read as a known given name, in letters (0 when there is none).
    let known_given = |n: &PersonName| {
        n.tokens
            .iter()
            .filter(|t| t.given.is_some())
            .map(|t| t.text.chars().count())
            .max()
            .unwrap_or(0)
    };
    let letters = text.chars().filter(char::is_ascii_alphabetic).count();
    let vowels = text
        .chars()
        .filter(|c| matches!(c.to_ascii_lowercase(), 'a' | 'e' | 'i' | 'o' | 'u'))
        .count();
    // `Dkflbvbh Wjq`: a Russian name typed with the keyboard in the Latin layout. Such text has
    // few Latin vowels (Russian vowels sit on f, t, b, j, s, z keys); read it as Cyrillic when
    // that gives a known given name longer than any the Latin reading has (`Wjq` reads as `Vic`).
    let latin_given = name.as_ref().map_or(0, known_given);
    // A Latin reading with a known given name of four letters or more (`John`) is meant.
    if !text.is_ascii() || letters < 3 || vowels * 3 > letters || latin_given >= 4 {
        return name;
    }
    match normalize_written(&from_wrong_layout(text)) {
        Ok(mut decoded) if known_given(&decoded) >= 3.max(latin_given + 1) => {
            decoded.original = text.trim().to_string();
            Ok(decoded)
        }
        _ => name,
    }
}

/// The text a Russian ЙЦУКЕН keyboard gives for the keys of Latin (QWERTY) text. Punctuation
/// keys count as letters (`[` is `х`, `,` is `б`) only before a letter: `K.` stays an initial.
fn from_wrong_layout(text: &str) -> String {
    const KEYS: &str = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`";
    const CYRILLIC: &str = "йцукенгшщзхъфывапролджэячсмитьбюё";
    let chars: Vec<char> = text.chars().collect();
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let lower = c.to_ascii_lowercase();
            let letter_next = chars.get(i + 1).is_some_and(char::is_ascii_alphabetic);
            if !c.is_ascii_alphabetic() && !letter_next {
                return c;
            }
            match KEYS.chars().position(|k| k == lower) {
                Some(i) => {
                    let r = CYRILLIC.chars().nth(i).unwrap_or(c);
                    if c.is_ascii_uppercase() {
                        r.to_uppercase().next().unwrap_or(r)
                    } else {
                        r
                    }
                }
                None => c,
            }
        })
        .collect()
}

/// [`normalize_name`] of the text as written.
fn normalize_written(text: &str) -> Result<PersonName> {
    let original = text.trim();
    let nfkc = text::nfkc(original);
    let mut words = text::words(&nfkc);
    // Honorifics among the first 32 words (a name has them at its start or end).
    let honorific: u32 = (0..words.len().min(32))
        .filter(|&i| text::is_honorific(&words[i].folded))
        .fold(0, |mask, i| mask | 1 << i);
    let dropped = |i: usize| i < 32 && honorific & (1 << i) != 0;
    let kept = words.len() - honorific.count_ones() as usize;
    if kept == 0 && !words.is_empty() {
        return Err(Error::new(
            ErrorKind::InvalidName,
            format!("{original:?} has only a title, no name"),
        ));
    }
    let particles = words
        .iter()
        .enumerate()
        .filter(|&(i, w)| !dropped(i) && text::is_particle(&w.folded))
        .count();
    let all_particles = particles == kept;
    let mut tokens = Vec::with_capacity(words.len());
    // The written form of each token, for display.
    let mut raws: Vec<&str> = Vec::with_capacity(words.len());
    let mut buffers = key::KeyBuffers::default();
    let mut word_index = 0u16;
    for (i, word) in words.iter_mut().enumerate() {
        if dropped(i) {
            continue;
        }
        let text::Word { raw, folded } = word;
        let raw: &str = raw;
        if !all_particles && text::is_particle(folded) {
            if let Some(token) = particle_token(std::mem::take(folded), word_index, &mut buffers) {
                tokens.push(token);
                raws.push(raw);
            }
        } else if !folded.contains('-') {
            let folded = std::mem::take(folded);
            if let Some(token) = analyse_token(raw, folded, word_index, false, &mut buffers) {
                tokens.push(token);
                raws.push(raw);
            }
        } else {
            let mut first = true;
            let parts = folded.split('-').count();
            for (k, (raw, folded)) in raw.split('-').zip(folded.split('-')).enumerate() {
                let part = folded.to_string();
                let token = if k == 0 && parts > 1 && text::is_prefix_particle(folded) {
                    particle_token(part, word_index, &mut buffers)
                } else {
                    analyse_token(raw, part, word_index, !first, &mut buffers)
                };
                if let Some(mut token) = token {
                    token.hyphen_before = !first;
                    tokens.push(token);
                    raws.push(raw);
                    first = false;
                }
            }
        }
        word_index += 1;
    }
    if tokens.is_empty() {
        return Err(Error::new(
            ErrorKind::InvalidName,
            format!("{original:?} has no letters that could be a name"),
        ));
    }
    if tokens
        .iter()
        .all(|t| t.initial || t.kind == TokenKind::Particle)
    {
        return Err(Error::new(
            ErrorKind::InvalidName,
            format!("{original:?} has only initials, no name"),
        ));
    }
    let normalized = join_text(&tokens);
    // `Williams, Mary` / `Иванов, Иван Петрович`: one word before the only comma is the family
    // name (how CRMs and exports write "Last, First").
    let family_first = match nfkc.split_once(',') {
        Some((before, after)) => {
            !after.contains(',') && text::words(before).len() == 1 && !text::words(after).is_empty()
        }
        None => false,
    };
    assign_roles(&mut tokens, family_first);
    let gender = gender_of(&tokens);
    let (compare_order, signature) = comparison_order(&tokens, gender);
    let part = |role: NameRole| {
        let mut out = String::new();
        display_into(&tokens, &raws, role, &mut out);
        (!out.is_empty()).then_some(out)
    };
    let given = part(NameRole::Given);
    let family = part(NameRole::Family);
    let patronymic = part(NameRole::Patronymic);
    let given_canonical = canonical_given(&tokens, gender);
    let mut display = String::with_capacity(original.len() + 8);
    for role in [
        NameRole::Given,
        NameRole::Middle,
        NameRole::Patronymic,
        NameRole::Family,
    ] {
        display_into(&tokens, &raws, role, &mut display);
    }
    Ok(PersonName {
        original: original.to_string(),
        normalized,
        display,
        given,
        given_canonical,
        family,
        patronymic,
        gender,
        tokens,
        compare_order,
        signature,
    })
}

/// How similar two person names are, from 0 (unrelated) to 1 (the same name).
///
/// Normalises both and calls [`PersonName::similarity`]; 0.0 when either has no usable name.
/// Normalise once with [`normalize_name`] when comparing one name many times.
///
/// # Example
/// ```
/// use omni_core::name_similarity;
///
/// assert!(name_similarity("Катя Смирнова", "Ekaterina Smirnova") >= 0.9);
/// assert_eq!(name_similarity("Иван Петров", "!!!"), 0.0);
/// ```
pub fn name_similarity(a: &str, b: &str) -> f64 {
    match (normalize_name(a), normalize_name(b)) {
        (Ok(a), Ok(b)) => a.similarity(&b),
        _ => 0.0,
    }
}

fn is_cyrillic(c: char) -> bool {
    matches!(c, '\u{0400}'..='\u{04FF}' | '\u{0500}'..='\u{052F}')
}

fn particle_token(folded: String, word: u16, buffers: &mut key::KeyBuffers) -> Option<NameToken> {
    let key = key::comparison_key_with(&folded, buffers);
    (!key.is_empty()).then(|| NameToken {
        text: folded,
        hash: key::key_hash(&key),
        planes: key::key_planes(&key),
        head: key::key_head(&key),
        key,
        role: NameRole::Middle,
        initial: false,
        given: None,
        groups: GroupBits::default(),
        kind: TokenKind::Particle,
        form: None,
        hyphen_before: false,
        word,
    })
}

fn analyse_token(
    raw: &str,
    folded: String,
    word: u16,
    hyphen_before: bool,
    buffers: &mut key::KeyBuffers,
) -> Option<NameToken> {
    let mut letters = raw.chars().filter(|&c| text::alphabetic(c));
    let initial = letters.next().is_some() && letters.next().is_none();
    let key = if initial {
        key::initial_key(&folded)
    } else {
        key::comparison_key_with(&folded, buffers)
    };
    if key.is_empty() {
        return None;
    }
    let cyrillic = raw.chars().any(is_cyrillic);
    let patronymic = if initial {
        None
    } else {
        key::patronymic_form(&key)
    };
    let kind = if initial {
        TokenKind::Initial
    } else if patronymic.is_some() {
        TokenKind::Patronymic
    } else {
        TokenKind::Full
    };
    let given = if kind == TokenKind::Full {
        given_names().lookup(&key)
    } else {
        None
    };
    let form = match kind {
        TokenKind::Patronymic => patronymic,
        TokenKind::Full if given.is_none() => key::surname_form(&key, cyrillic),
        _ => None,
    }
    .map(|(gender, stem)| Form {
        gender,
        stem_len: stem.min(u8::MAX as usize) as u8,
    });
    Some(NameToken {
        text: folded,
        hash: key::key_hash(&key),
        planes: key::key_planes(&key),
        head: key::key_head(&key),
        key,
        role: NameRole::Middle,
        initial,
        given,
        groups: GroupBits::of(given),
        kind,
        form,
        hyphen_before,
        word,
    })
}

/// Appends how a token should be displayed: initials upper case with a dot, particles lower
/// case, other words capitalised.
fn push_display(token: &NameToken, raw: &str, out: &mut String) {
    if token.initial {
        out.extend(raw.chars().flat_map(char::to_uppercase));
        out.push('.');
    } else if token.kind == TokenKind::Particle {
        out.extend(raw.chars().flat_map(char::to_lowercase));
    } else {
        push_capitalised(raw, out);
    }
}

/// `char::is_uppercase` with fast paths for ASCII and basic Cyrillic.
fn upper(c: char) -> bool {
    match c {
        'A'..='Z' | '\u{0410}'..='\u{042F}' | '\u{0401}' => true,
        'a'..='z' | '\u{0430}'..='\u{044F}' | '\u{0451}' => false,
        c => c.is_uppercase(),
    }
}

/// `char::is_lowercase` with fast paths for ASCII and basic Cyrillic.
fn lower(c: char) -> bool {
    match c {
        'a'..='z' | '\u{0430}'..='\u{044F}' | '\u{0451}' => true,
        'A'..='Z' | '\u{0410}'..='\u{042F}' | '\u{0401}' => false,
        c => c.is_lowercase(),
    }
}

/// Appends `raw` with each part's first letter upper case and the rest lower case, unless it
/// mixes cases already (`McAllister`, `DeWitt` stay as written).
fn push_capitalised(raw: &str, out: &mut String) {
    if raw.chars().next().is_some_and(upper) && raw.chars().any(lower) {
        out.push_str(raw);
        return;
    }
    let mut start = true;
    for c in raw.chars() {
        match (start, c) {
            (true, 'a'..='z') => out.push(c.to_ascii_uppercase()),
            (true, '\u{0430}'..='\u{044F}') => out.push(shift(c, -0x20)),
            (true, 'ё') => out.push('Ё'),
            (false, 'A'..='Z') => out.push(c.to_ascii_lowercase()),
            (false, '\u{0410}'..='\u{042F}') => out.push(shift(c, 0x20)),
            (false, 'Ё') => out.push('ё'),
            (true, c) if c.is_ascii() || lower(c) == upper(c) => out.push(c),
            (false, c) if c.is_ascii() || (!upper(c)) => out.push(c),
            (true, c) => out.extend(c.to_uppercase()),
            (false, c) => out.extend(c.to_lowercase()),
        }
        start = c == '\'';
    }
}

/// A basic Cyrillic letter moved by `by` code points (between cases).
fn shift(c: char, by: i32) -> char {
    char::from_u32((c as i32 + by) as u32).unwrap_or(c)
}

/// The normalised text: tokens joined by spaces, or by hyphens inside a word.
fn join_text(tokens: &[NameToken]) -> String {
    let mut out = String::with_capacity(tokens.iter().map(|t| t.text.len() + 1).sum());
    for (i, t) in tokens.iter().enumerate() {
        if i > 0 {
            out.push(if t.hyphen_before { '-' } else { ' ' });
        }
        out.push_str(&t.text);
    }
    out
}

/// Appends the display form of the tokens with `role` (in written order) to `out`.
fn display_into(tokens: &[NameToken], raws: &[&str], role: NameRole, out: &mut String) {
    let mut last_word = None;
    for (t, raw) in tokens.iter().zip(raws).filter(|(t, _)| t.role == role) {
        if !out.is_empty() {
            let same_word = last_word == Some(t.word) && t.hyphen_before;
            out.push(if same_word { '-' } else { ' ' });
        }
        push_display(t, raw, out);
        last_word = Some(t.word);
    }
}

/// A word of the name (the tokens of one hyphenated word share it) with what roles need.
#[derive(Clone, Copy, Debug, Default)]
struct Unit {
    parts: u16,
    particle: bool,
    /// A Turkic patronymic marker (`оглы`, `кызы`) after the father's name.
    marker: bool,
    initial: bool,
    given: bool,
    patronymic: bool,
    surname_form: bool,
    cyrillic: bool,
    /// The gender a known given name or a patronymic ending marks.
    gender: Option<Gender>,
    role: Option<NameRole>,
}

impl Unit {
    /// Not yet given a role, and a word that can take one (not an initial or a particle).
    fn free(&self) -> bool {
        self.role.is_none() && !self.initial && !self.particle
    }
}

/// Guesses each token's role from given-name knowledge, patronymic endings and word order
/// (`Фамилия Имя Отчество`, `Имя Отчество Фамилия`, `Имя Фамилия`, `Фамилия И. О.`).
fn assign_roles(tokens: &mut [NameToken], family_first: bool) {
    let n = tokens.last().map_or(0, |t| t.word as usize + 1);
    let mut units = vec![Unit::default(); n];
    for t in tokens.iter() {
        let u = &mut units[t.word as usize];
        u.parts += 1;
        u.particle = t.kind == TokenKind::Particle && u.parts == 1;
        u.marker = u.particle && text::is_patronymic_marker(&t.text);
        u.initial = t.initial && u.parts == 1;
        u.given |= t.given.is_some();
        u.patronymic = t.kind == TokenKind::Patronymic;
        u.surname_form |= t.kind == TokenKind::Full && t.form.is_some();
        u.cyrillic |= t.text.chars().any(is_cyrillic);
        u.gender = match (t.kind, t.given, t.form) {
            (TokenKind::Patronymic, _, Some(form)) => Some(form.gender),
            (TokenKind::Full, Some(set), _) => given_names().gender(set),
            _ => u.gender,
        };
    }
    // `Елена Осенович`: a patronymic agrees with the gender of the given name before it, so a
    // masculine `-ович` after a feminine name (or `-овна` after a masculine one) is a surname
    // (Belarusian and Serbian surnames end in `-ович`, `-евич` for both genders).
    let agrees = |p: &Unit, g: &Unit| !matches!((p.gender, g.gender), (Some(x), Some(y)) if x != y);
    // `Williams, Mary`: the first word is the family name, whatever else it could be.
    let family_first = family_first && n >= 2 && units[0].free() && !units[0].patronymic;
    if family_first {
        units[0].role = Some(NameRole::Family);
    }
    // `Э. Скотт`, `Petrov I.`: one initial and one word: the initial is the given name's, the
    // word the family name, even when it could be a given name too (Scott, Martin, Thomas).
    if !family_first && n == 2 && units.iter().filter(|u| u.initial).count() == 1 {
        let word = usize::from(units[0].initial);
        if units[word].free() && !units[word].patronymic {
            units[word].role = Some(NameRole::Family);
        }
    }
    // `Рашид Ильхам оглы`: the word before a Turkic marker is the patronymic.
    for i in 1..n {
        if units[i].marker && !units[i - 1].particle {
            units[i - 1].role = Some(NameRole::Patronymic);
            units[i].role = Some(NameRole::Patronymic);
        }
    }
    // Patronymic: a patronymic-looking word right after a given name or an initial.
    let mut given = None;
    if let Some(p) = (1..n).rev().find(|&p| {
        units[p].patronymic
            && (units[p - 1].given || units[p - 1].initial)
            && agrees(&units[p], &units[p - 1])
    }) {
        units[p].role = Some(NameRole::Patronymic);
        given = Some(p - 1);
    } else if n == 3 {
        // `Иванов И. И.` / `И. И. Иванов`: two initials and one word.
        let first_initial = match (units[0].initial, units[1].initial, units[2].initial) {
            (false, true, true) => Some(1),
            (true, true, false) => Some(0),
            _ => None,
        };
        if let Some(i) = first_initial {
            given = Some(i);
            let cyrillic = units.iter().any(|u| u.cyrillic);
            units[i + 1].role = Some(if cyrillic {
                NameRole::Patronymic
            } else {
                NameRole::Middle
            });
        }
    }
    let given = given
        .or_else(|| (0..n).find(|&i| units[i].free() && units[i].given && !units[i].patronymic))
        .or_else(|| (0..n).find(|&i| units[i].role.is_none() && units[i].initial));
    // No known given name: Latin-script names are written given name first (`Omar Haddad`),
    // Russian ones most often family name first (`Цой Ким`).
    let given = given.or_else(|| {
        let latin = !units.iter().any(|u| u.cyrillic);
        (0..n)
            .find(|&i| latin && units[i].free() && !units[i].patronymic)
            .filter(|_| units.iter().filter(|u| u.free()).count() > 1)
    });
    if let Some(g) = given {
        units[g].role = Some(NameRole::Given);
    }
    let family = (0..n)
        .find(|&i| units[i].free() && units[i].surname_form && !units[i].given)
        .or_else(|| (0..n).find(|&i| units[i].free() && !units[i].given && !units[i].patronymic))
        .or_else(|| {
            (0..n)
                .rev()
                .find(|&i| units[i].free() && !units[i].patronymic)
        })
        .or_else(|| (0..n).rev().find(|&i| units[i].free()))
        .filter(|_| !family_first);
    if let Some(f) = family {
        units[f].role = Some(NameRole::Family);
    }
    if given.is_none() {
        if let Some(g) = (0..n).find(|&i| units[i].free() && !units[i].patronymic) {
            units[g].role = Some(NameRole::Given);
        }
    }
    for u in units.iter_mut().filter(|u| u.role.is_none()) {
        u.role = Some(if u.patronymic {
            NameRole::Patronymic
        } else {
            NameRole::Middle
        });
    }
    // A lone word that is not a known given name is a family name.
    if n == 1 && !units[0].given && !units[0].initial {
        units[0].role = Some(NameRole::Family);
    }
    // A particle belongs to the word after it (`van Dijk`, `де Валуа`).
    for i in (0..n.saturating_sub(1)).rev() {
        if units[i].particle && !units[i].marker {
            units[i].role = units[i + 1].role;
        }
    }
    for t in tokens.iter_mut() {
        t.role = units[t.word as usize].role.unwrap_or(NameRole::Middle);
    }
}

/// The gender a name marks, from order-independent evidence: known given names and
/// patronymics first, Russian surname forms only when those say nothing.
fn gender_of(tokens: &[NameToken]) -> Option<Gender> {
    let table = given_names();
    let mut strong: Option<Option<Gender>> = None;
    let mut weak: Option<Option<Gender>> = None;
    let vote = |slot: &mut Option<Option<Gender>>, g: Gender| {
        *slot = match *slot {
            None => Some(Some(g)),
            Some(Some(h)) if h == g => Some(Some(g)),
            _ => Some(None),
        };
    };
    for t in tokens {
        match (t.kind, t.given, t.form) {
            // A `-ович` surname (`Елена Осенович`) says nothing about gender.
            (TokenKind::Patronymic, _, Some(form)) if t.role != NameRole::Family => {
                vote(&mut strong, form.gender)
            }
            (TokenKind::Full, Some(set), _) => {
                if let Some(g) = table.gender(set) {
                    vote(&mut strong, g);
                }
            }
            (TokenKind::Full, None, Some(form)) => vote(&mut weak, form.gender),
            _ => {}
        }
    }
    match strong {
        Some(decided) => decided,
        None => weak.flatten(),
    }
}

/// The full form of the given name in the script it was written in.
fn canonical_given(tokens: &[NameToken], gender: Option<Gender>) -> Option<String> {
    let table = given_names();
    let token = tokens
        .iter()
        .find(|t| t.role == NameRole::Given && t.given.is_some())?;
    let groups = table.groups_of(token.given?);
    let group = groups
        .iter()
        .map(|&g| table.group(g))
        .find(|g| gender.is_some() && g.gender == gender)
        .or_else(|| groups.first().map(|&g| table.group(g)))?;
    let cyrillic = token.text.chars().any(is_cyrillic);
    let own_russian_form = group.russian_key.as_deref() == Some(token.key.as_str());
    let form = match (cyrillic, group.russian, group.english) {
        (true, Some(ru), _) => ru.to_string(),
        (true, None, Some(en)) => en.to_string(),
        (false, Some(ru), _) if own_russian_form => key::readable_latin(ru),
        (false, _, Some(en)) => en.to_string(),
        (false, Some(ru), None) => key::readable_latin(ru),
        (_, None, None) => return None,
    };
    Some(form)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_form_gives_back_the_same_name_without_normalising() {
        for text in [
            "Иванов Иван Иванович",
            "Саша П.",
            "г-н ИВАНОВ Иван",
            "Williams, Mary",
            "Анна-Мария ван дер Берг",
            "Мамедов Рашид оглы",
            "Ekaterina Smirnova",
            "Bill McAllister Jr.",
            "Ли",
            "Алёна Петрова-Водкина",
            "И. И. Иванов",
        ] {
            let name = normalize_name(text).unwrap();
            let mut bytes = Vec::new();
            crate::codec::encode_into(&mut bytes, &name).unwrap();
            let back: PersonName = crate::codec::decode(&bytes).unwrap();
            assert_eq!(back, name, "{text}");
            let json = serde_json::to_string(&name).unwrap();
            assert!(json.starts_with(r#"{"original":"#), "{json}");
            assert_eq!(serde_json::from_str::<PersonName>(&json).unwrap(), name);
        }
    }

    fn name(text: &str) -> PersonName {
        normalize_name(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
    }

    #[test]
    fn normalized_form_drops_honorifics_punctuation_and_yo() {
        assert_eq!(name("  г-н  ПЁТР   Иванов ").normalized, "петр иванов");
        assert_eq!(name("Dr. John  Smith, Jr.").normalized, "john smith");
        assert_eq!(name("ИП Сидоров С.С.").normalized, "сидоров с с");
        assert_eq!(name("Mary-Jane O’Neil").normalized, "mary-jane o'neil");
        assert_eq!(name("  Иванов   Иван ").original, "Иванов   Иван");
    }

    #[test]
    fn a_name_typed_in_the_wrong_keyboard_layout_is_read_as_cyrillic() {
        let n = name("Dkflbvbh Wjq");
        assert_eq!(n.normalized, "владимир цой");
        assert_eq!(n.original, "Dkflbvbh Wjq");
        assert_eq!(name("[fhbnjyjdf Bhbyf").normalized, "харитонова ирина");
        // Latin names stay Latin, known or not.
        assert_eq!(name("John Smith").normalized, "john smith");
        assert_eq!(name("Omar Haddad").normalized, "omar haddad");
        assert_eq!(name("ivan_p").normalized, "ivan p");
    }

    #[test]
    fn handles_that_spell_the_family_name() {
        let n = name("Андрей Островский");
        assert!(n.family_in_handle("ostrovskii_a"));
        assert!(n.family_in_handle("a.ostrovsky85"));
        assert!(!n.family_in_handle("zvezdochet77"));
        let n = name("Mary Johnson");
        assert!(n.family_in_handle("maryjohnson85"));
    }

    #[test]
    fn a_handle_with_the_family_name_and_another_given_name_is_someone_else() {
        let lena = name("Лена Киселева");
        assert!(lena.handle_names_someone_else("aleksandrakiseleva"));
        assert!(!lena.handle_names_someone_else("elenakiseleva"));
        assert!(!lena.handle_names_someone_else("helenkiseleva"));
        // A bare surname or an initial names nobody in particular.
        assert!(!lena.handle_names_someone_else("kiseleva85"));
        assert!(!lena.handle_names_someone_else("akiseleva"));
        // Without a recognised given name there is nothing to contradict.
        assert!(!name("Киселева").handle_names_someone_else("aleksandrakiseleva"));
    }

    #[test]
    fn given_names_shared_and_family_similarity() {
        assert!(name("Ksusha").given_names_shared(&name("Ксения Леснина")));
        assert!(!name("Мария").given_names_shared(&name("Ксения Леснина")));
        let f = |a: &str, b: &str| name(a).family_similarity(&name(b));
        assert_eq!(f("Мартин Энтони", "Anthony Martin"), Some(1.0));
        assert!(f("Калинский Дмитрий", "Калинов Дмитрий").unwrap() < 0.9);
        assert!(f("Иванов Иван", "Иванва Иван").unwrap() >= 0.9);
        assert_eq!(f("Иван", "Иван Иванов"), None);
    }

    #[test]
    fn roles_follow_russian_and_english_orders() {
        let n = name("Иванов Иван Иванович");
        assert_eq!(n.given.as_deref(), Some("Иван"));
        assert_eq!(n.family.as_deref(), Some("Иванов"));
        assert_eq!(n.patronymic.as_deref(), Some("Иванович"));
        assert_eq!(n.gender, Some(Gender::Male));

        let n = name("Мария Петровна Сидорова");
        assert_eq!(n.given.as_deref(), Some("Мария"));
        assert_eq!(n.family.as_deref(), Some("Сидорова"));
        assert_eq!(n.patronymic.as_deref(), Some("Петровна"));
        assert_eq!(n.gender, Some(Gender::Female));

        let n = name("Smith John Michael");
        assert_eq!(n.given.as_deref(), Some("John"));
        assert_eq!(n.family.as_deref(), Some("Smith"));
        assert_eq!(n.display, "John Michael Smith");

        let n = name("Петров А.В.");
        assert_eq!(n.family.as_deref(), Some("Петров"));
        assert_eq!(n.given.as_deref(), Some("А."));
        assert_eq!(n.patronymic.as_deref(), Some("В."));
        assert_eq!(n.display, "А. В. Петров");

        let n = name("Зорин-Ключевской Николай Андреевич");
        assert_eq!(n.family.as_deref(), Some("Зорин-Ключевской"));
        assert_eq!(n.display, "Николай Андреевич Зорин-Ключевской");
    }

    #[test]
    fn canonical_given_name_is_in_the_written_script() {
        assert_eq!(
            name("Саша Петров").given_canonical.as_deref(),
            Some("Александр")
        );
        assert_eq!(
            name("Саша Петрова").given_canonical.as_deref(),
            Some("Александра")
        );
        assert_eq!(
            name("Sasha Petrov").given_canonical.as_deref(),
            Some("Alexander")
        );
        assert_eq!(
            name("Bill Hartley").given_canonical.as_deref(),
            Some("William")
        );
        assert_eq!(
            name("Ekaterina Ivanova").given_canonical.as_deref(),
            Some("Ekaterina")
        );
        assert_eq!(
            name("Vanya Petrov").given_canonical.as_deref(),
            Some("Ivan")
        );
        assert_eq!(name("Катя").given_canonical.as_deref(), Some("Екатерина"));
    }

    #[test]
    fn display_capitalises_but_keeps_deliberate_case_and_yo() {
        assert_eq!(name("пётр ИВАНОВ").display, "Пётр Иванов");
        assert_eq!(name("ronald mcallister").display, "Ronald Mcallister");
        assert_eq!(name("Ronald McAllister").display, "Ronald McAllister");
    }

    #[test]
    fn unusable_names_are_errors() {
        for bad in ["", "   ", "!!!", "12345", "И.", "A. B.", "Mr."] {
            let e = normalize_name(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidName, "{bad:?}");
        }
        let long = "a".repeat(MAX_NAME_INPUT + 1);
        assert_eq!(
            normalize_name(&long).unwrap_err().kind(),
            ErrorKind::InputTooLarge
        );
    }

    #[test]
    fn json_round_trips_through_the_original() {
        let n = name("Саша Петров");
        let json = serde_json::to_string(&n).unwrap();
        assert!(
            json.contains("\"given_name_ids\":[\"alexander\",\"alexandra\"]"),
            "{json}"
        );
        assert!(json.contains("\"gender\":\"male\""), "{json}");
        let back: PersonName = serde_json::from_str(&json).unwrap();
        assert_eq!(back, n);
    }
}
