//! The resolver's form of a normalised name: the same content as a [`PersonName`] in two
//! allocations (one text buffer, one token array) instead of about a dozen, with the fields
//! scoring reads kept together per token.
//!
//! Comparisons and blocking run on it through [`NameView`], the same code as for
//! [`PersonName`], so both forms give the same answers. It converts back to an equal
//! [`PersonName`] ([`CompactName::to_person_name`]), and its serialised form is the
//! [`PersonName`]'s, so snapshots read and write the same bytes.

use super::given::GroupSet;
use super::{
    Form, Gender, GroupBits, NameRole, NameToken, NameView, PersonName, SavedName, SavedToken,
    TokenKind, TokenView,
};
use serde::{Deserialize, Serialize, Serializer};

/// One token: what [`NameToken`] holds, with its text and key as ranges of the name's buffer.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Token {
    hash: u64,
    planes: [u64; 3],
    groups: GroupBits,
    given: Option<GroupSet>,
    head: u32,
    /// The text is `buffer[start..key_start]`, the key `buffer[key_start..end]`.
    start: u32,
    key_start: u32,
    end: u32,
    word: u16,
    role: NameRole,
    kind: TokenKind,
    form: Option<Form>,
    initial: bool,
    hyphen_before: bool,
}

/// Token indexes in comparison order: inline for the usual short names.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Order {
    Inline { len: u8, items: [u8; 14] },
    Heap(Box<[u8]>),
}

impl Order {
    fn new(order: &[u8]) -> Order {
        let mut items = [0u8; 14];
        match items.get_mut(..order.len()) {
            Some(head) => {
                head.copy_from_slice(order);
                Order::Inline {
                    len: order.len() as u8,
                    items,
                }
            }
            None => Order::Heap(order.into()),
        }
    }

    fn as_slice(&self) -> &[u8] {
        match self {
            Order::Inline { len, items } => &items[..*len as usize],
            Order::Heap(items) => items,
        }
    }
}

/// The text parts of a name after its tokens, in buffer order.
const ORIGINAL: usize = 0;
const DISPLAY: usize = 1;
const GIVEN: usize = 2;
const GIVEN_CANONICAL: usize = 3;
const FAMILY: usize = 4;
const PATRONYMIC: usize = 5;
/// The normalised form, kept only when it is not the tokens' texts joined (never, for names
/// normalised by this version).
const NORMALIZED: usize = 6;
const PARTS: usize = 7;

/// A normalised person name in compact form (see the [module documentation](self)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CompactName {
    /// Each token's text and key, then the parts (`ORIGINAL` ... `PATRONYMIC`), back to back.
    buffer: Box<str>,
    tokens: Box<[Token]>,
    /// Where each part ends in `buffer`; a part starts where the one before it ends, the
    /// first where the last token's key ends.
    ends: [u32; PARTS],
    signature: u64,
    order: Order,
    /// Bit `i` set when part `i` is present.
    present: u8,
    gender: Option<Gender>,
}

/// A token of a [`CompactName`], as comparisons read it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CompactToken<'a> {
    token: &'a Token,
    buffer: &'a str,
}

impl<'a> TokenView<'a> for CompactToken<'a> {
    #[inline]
    fn text(self) -> &'a str {
        &self.buffer[self.token.start as usize..self.token.key_start as usize]
    }
    #[inline]
    fn key(self) -> &'a str {
        &self.buffer[self.token.key_start as usize..self.token.end as usize]
    }
    #[inline]
    fn role(self) -> NameRole {
        self.token.role
    }
    #[inline]
    fn initial(self) -> bool {
        self.token.initial
    }
    #[inline]
    fn given(self) -> Option<GroupSet> {
        self.token.given
    }
    #[inline]
    fn kind(self) -> TokenKind {
        self.token.kind
    }
    #[inline]
    fn form(self) -> Option<Form> {
        self.token.form
    }
    #[inline]
    fn groups(self) -> GroupBits {
        self.token.groups
    }
    #[inline]
    fn hash(self) -> u64 {
        self.token.hash
    }
    #[inline]
    fn planes(self) -> [u64; 3] {
        self.token.planes
    }
    #[inline]
    fn head(self) -> u32 {
        self.token.head
    }
}

impl NameView for CompactName {
    type Token<'a> = CompactToken<'a>;
    #[inline]
    fn token(&self, i: usize) -> CompactToken<'_> {
        CompactToken {
            token: &self.tokens[i],
            buffer: &self.buffer,
        }
    }
    #[inline]
    fn token_count(&self) -> usize {
        self.tokens.len()
    }
    #[inline]
    fn compare_order(&self) -> &[u8] {
        self.order.as_slice()
    }
    #[inline]
    fn signature(&self) -> u64 {
        self.signature
    }
    #[inline]
    fn gender(&self) -> Option<Gender> {
        self.gender
    }
}

impl CompactName {
    /// The compact form of `name`.
    pub(crate) fn new(name: &PersonName) -> CompactName {
        let parts: [Option<&str>; PARTS] = [
            Some(&name.original),
            Some(&name.display),
            name.given.as_deref(),
            name.given_canonical.as_deref(),
            name.family.as_deref(),
            name.patronymic.as_deref(),
            (!is_joined(&name.tokens, &name.normalized)).then_some(name.normalized.as_str()),
        ];
        let size = name
            .tokens
            .iter()
            .map(|t| t.text.len() + t.key.len())
            .sum::<usize>()
            + parts.iter().flatten().map(|p| p.len()).sum::<usize>();
        let mut buffer = String::with_capacity(size);
        let at = |b: &String| b.len() as u32;
        let tokens = name
            .tokens
            .iter()
            .map(|t| {
                let start = at(&buffer);
                buffer.push_str(&t.text);
                let key_start = at(&buffer);
                buffer.push_str(&t.key);
                Token {
                    hash: t.hash,
                    planes: t.planes,
                    groups: t.groups,
                    given: t.given,
                    head: t.head,
                    start,
                    key_start,
                    end: at(&buffer),
                    word: t.word,
                    role: t.role,
                    kind: t.kind,
                    form: t.form,
                    initial: t.initial,
                    hyphen_before: t.hyphen_before,
                }
            })
            .collect();
        let mut ends = [0u32; PARTS];
        let mut present = 0u8;
        for (i, part) in parts.iter().enumerate() {
            if let Some(text) = part {
                buffer.push_str(text);
                present |= 1 << i;
            }
            ends[i] = at(&buffer);
        }
        CompactName {
            buffer: buffer.into_boxed_str(),
            tokens,
            ends,
            signature: name.signature,
            order: Order::new(&name.compare_order),
            present,
            gender: name.gender,
        }
    }

    fn part(&self, i: usize) -> Option<&str> {
        if self.present & (1 << i) == 0 {
            return None;
        }
        let start = match i {
            0 => self.tokens.last().map_or(0, |t| t.end),
            _ => self.ends[i - 1],
        };
        Some(&self.buffer[start as usize..self.ends[i] as usize])
    }

    /// The name as given, trimmed (see [`PersonName::original`]).
    pub(crate) fn original(&self) -> &str {
        self.part(ORIGINAL).unwrap_or_default()
    }

    /// The normalised form (see [`PersonName::normalized`]): the tokens' texts joined by
    /// spaces, or by hyphens inside a word.
    pub(crate) fn normalized(&self) -> String {
        if let Some(text) = self.part(NORMALIZED) {
            return text.to_string();
        }
        let mut out = String::new();
        for (i, t) in self.tokens.iter().enumerate() {
            if i > 0 {
                out.push(if t.hyphen_before { '-' } else { ' ' });
            }
            out.push_str(&self.buffer[t.start as usize..t.key_start as usize]);
        }
        out
    }

    /// The patronymic as written (see [`PersonName::patronymic`]).
    pub(crate) fn patronymic(&self) -> Option<&str> {
        self.part(PATRONYMIC)
    }

    /// Whether a given name was recognised (see [`PersonName::given`]).
    pub(crate) fn has_given(&self) -> bool {
        self.present & (1 << GIVEN) != 0
    }

    /// Whether a family name was recognised (see [`PersonName::family`]).
    pub(crate) fn has_family(&self) -> bool {
        self.present & (1 << FAMILY) != 0
    }

    /// The equal [`PersonName`].
    pub(crate) fn to_person_name(&self) -> PersonName {
        let tokens: Vec<NameToken> = self
            .tokens
            .iter()
            .map(|t| NameToken {
                text: self.buffer[t.start as usize..t.key_start as usize].to_string(),
                key: self.buffer[t.key_start as usize..t.end as usize].to_string(),
                role: t.role,
                initial: t.initial,
                given: t.given,
                kind: t.kind,
                form: t.form,
                groups: t.groups,
                hash: t.hash,
                planes: t.planes,
                head: t.head,
                hyphen_before: t.hyphen_before,
                word: t.word,
            })
            .collect();
        let owned = |i: usize| self.part(i).map(str::to_string);
        PersonName {
            original: self.original().to_string(),
            normalized: self.normalized(),
            display: owned(DISPLAY).unwrap_or_default(),
            given: owned(GIVEN),
            given_canonical: owned(GIVEN_CANONICAL),
            family: owned(FAMILY),
            patronymic: owned(PATRONYMIC),
            gender: self.gender,
            compare_order: self.order.as_slice().to_vec(),
            signature: self.signature,
            tokens,
        }
    }
}

/// Whether `normalized` is the tokens' texts joined by spaces, or by hyphens inside a word
/// (what normalising gives), compared without building the joined text.
fn is_joined(tokens: &[NameToken], normalized: &str) -> bool {
    let mut rest = normalized;
    for (i, t) in tokens.iter().enumerate() {
        if i > 0 {
            let sep = if t.hyphen_before { "-" } else { " " };
            match rest.strip_prefix(sep) {
                Some(r) => rest = r,
                None => return false,
            }
        }
        match rest.strip_prefix(t.text.as_str()) {
            Some(r) => rest = r,
            None => return false,
        }
    }
    rest.is_empty()
}

impl Serialize for CompactName {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            return self.to_person_name().serialize(serializer);
        }
        // The binary form of the equal `PersonName`, written without building it.
        let tokens: Vec<SavedToken<&str>> = self
            .tokens
            .iter()
            .map(|t| {
                let token = CompactToken {
                    token: t,
                    buffer: &self.buffer,
                };
                (
                    token.text(),
                    token.key(),
                    t.role,
                    t.initial,
                    t.kind.saved(),
                    t.form.map(|f| (f.gender, f.stem_len)),
                    t.hyphen_before,
                    t.word,
                )
            })
            .collect();
        let normalized = self.normalized();
        let saved: SavedName<&str, SavedToken<&str>> = (
            self.original(),
            &normalized,
            self.part(DISPLAY).unwrap_or_default(),
            self.part(GIVEN),
            self.part(GIVEN_CANONICAL),
            self.part(FAMILY),
            self.part(PATRONYMIC),
            self.gender,
            tokens,
        );
        saved.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for CompactName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        PersonName::deserialize(d).map(|name| CompactName::new(&name))
    }
}

#[cfg(test)]
mod tests {
    use super::super::{
        blocking, family_in_handle, family_similarity, given_names_disjoint, given_names_shared,
        handle_names_someone_else, normalize_name, similarity,
    };
    use super::*;
    use proptest::prelude::*;

    const GIVEN: &[&str] = &[
        "Иван",
        "Саша",
        "Александра",
        "Катя",
        "Ekaterina",
        "Bill",
        "William",
        "Mary",
        "Мария",
        "Ксюша",
        "Ksenia",
        "Пётр",
        "Peter",
        "Юлия",
        "Julia",
        "Лена",
        "Елена",
        "Dkflbvbh",
        "И.",
        "A.",
        "Анна-Мария",
        "John",
    ];
    const FAMILY: &[&str] = &[
        "Иванов",
        "Иванова",
        "Ivanov",
        "Петров",
        "Petrova",
        "Петорв",
        "Smith",
        "O'Brien",
        "McAllister",
        "Киселева",
        "kiseleva",
        "van der Berg",
        "Осенович",
        "Wjq",
        "Римский-Корсаков",
    ];
    const MIDDLE: &[&str] = &["", "Иванович", "Петровна", "J.", "Сергеевич", "оглы", "Lee"];
    const HANDLES: &[&str] = &[
        "ivanov85",
        "aleksandrakiseleva",
        "elenakiseleva",
        "ostrovskii_a",
        "petrova.m",
        "zvezdochet77",
        "smith_john",
    ];

    /// A name in one of the orders and spellings CRMs have.
    fn name_text() -> impl Strategy<Value = String> {
        (
            0..GIVEN.len(),
            0..FAMILY.len(),
            0..MIDDLE.len(),
            0..4u8,
            any::<bool>(),
        )
            .prop_map(|(g, f, m, order, title)| {
                let (g, f, m) = (GIVEN[g], FAMILY[f], MIDDLE[m]);
                let mut text = match order {
                    0 => format!("{g} {m} {f}"),
                    1 => format!("{f} {g} {m}"),
                    2 => format!("{f}, {g} {m}"),
                    _ => g.to_string(),
                };
                if title {
                    text = format!("г-н {}", text.to_uppercase());
                }
                text
            })
    }

    fn both(text: &str) -> Option<(PersonName, CompactName)> {
        let name = normalize_name(text).ok()?;
        let compact = CompactName::new(&name);
        Some((name, compact))
    }

    proptest! {
        #[test]
        fn the_compact_form_answers_every_query_as_the_full_one(
            a in name_text(),
            b in name_text(),
            h in 0..HANDLES.len(),
        ) {
            let (Some((pa, ca)), Some((pb, cb))) = (both(&a), both(&b)) else {
                return Ok(());
            };
            // Lossless: the full form comes back equal, and both serialise to the same bytes.
            prop_assert_eq!(&ca.to_person_name(), &pa);
            let (mut x, mut y) = (Vec::new(), Vec::new());
            crate::codec::encode_into(&mut x, &pa).unwrap();
            crate::codec::encode_into(&mut y, &ca).unwrap();
            prop_assert_eq!(&x, &y);
            let back: CompactName = crate::codec::decode(&y).unwrap();
            prop_assert_eq!(&back, &ca);
            prop_assert_eq!(
                serde_json::to_string(&ca).unwrap(),
                serde_json::to_string(&pa).unwrap()
            );
            // The parts the resolver reads.
            prop_assert_eq!(ca.original(), pa.original.as_str());
            prop_assert_eq!(ca.normalized(), pa.normalized.clone());
            prop_assert_eq!(ca.patronymic(), pa.patronymic.as_deref());
            prop_assert_eq!(ca.has_given(), pa.given.is_some());
            prop_assert_eq!(ca.has_family(), pa.family.is_some());
            // Every comparison, bit for bit.
            prop_assert_eq!(
                similarity::similarity(&ca, &cb).to_bits(),
                pa.similarity(&pb).to_bits()
            );
            prop_assert_eq!(
                family_similarity(&ca, &cb).map(f64::to_bits),
                family_similarity(&pa, &pb).map(f64::to_bits)
            );
            prop_assert_eq!(given_names_shared(&ca, &cb), given_names_shared(&pa, &pb));
            prop_assert_eq!(given_names_disjoint(&ca, &cb), given_names_disjoint(&pa, &pb));
            let handle = HANDLES[h];
            prop_assert_eq!(family_in_handle(&ca, handle), family_in_handle(&pa, handle));
            prop_assert_eq!(
                handle_names_someone_else(&ca, handle),
                handle_names_someone_else(&pa, handle)
            );
            prop_assert_eq!(blocking::blocking_keys(&ca), pa.blocking_keys());
        }
    }

    #[test]
    fn long_names_keep_their_whole_comparison_order() {
        let text = "a b c d e f g h i j k l m n o p Иванов";
        let (name, compact) = both(text).unwrap();
        assert!(name.compare_order.len() > 14);
        assert!(matches!(compact.order, Order::Heap(_)));
        assert_eq!(compact.to_person_name(), name);
        let short = both("Иван Петров").unwrap().1;
        assert!(matches!(short.order, Order::Inline { .. }));
    }

    #[test]
    fn joined_tokens_are_recognised_without_joining() {
        for text in ["Иван Петров", "Анна-Мария Smith", "van der Berg, Jan", "Ж"]
        {
            let Ok(name) = normalize_name(text) else {
                continue;
            };
            assert!(is_joined(&name.tokens, &name.normalized), "{text}");
            assert_eq!(super::super::join_text(&name.tokens), name.normalized);
            assert!(!is_joined(&name.tokens, &format!("{} ", name.normalized)));
            assert!(
                !is_joined(&name.tokens, &name.normalized.replace(' ', "-"))
                    || !name.normalized.contains(' ')
            );
        }
    }

    #[test]
    fn a_normalised_form_other_than_the_joined_tokens_is_kept() {
        let (mut name, _) = both("Иван Петров").unwrap();
        name.normalized = "something else".into();
        let compact = CompactName::new(&name);
        assert_eq!(compact.normalized(), "something else");
        assert_eq!(compact.to_person_name(), name);
    }
}
