//! Numbering-plan tables compiled from the libphonenumber metadata that the `phonenumber` crate
//! ships, in the shape libphonenumber's own metadata builder gives them; each territory's tables
//! are built the first time a number needs them and never change after.
//!
//! The crate keeps the XML as written; libphonenumber derives a few things when it builds its
//! metadata, and we do the same here: whitespace is removed from patterns, the parsing national
//! prefix defaults to the national prefix, the general description's possible lengths are the
//! union of the type descriptions' (local-only lengths minus national ones), and regions sharing a
//! country code are listed main region first, then alphabetically.
//!
//! Every pattern is compiled to a fully built DFA over ASCII digits, so a check is one table walk
//! over the national number (no regex engine set-up per call).

use super::PhoneKind;
use regex_automata::dfa::{dense, Automaton, StartKind};
use regex_automata::util::primitives::StateID;
use regex_automata::util::{start, syntax};
use regex_automata::Anchored;
use std::collections::HashMap;
use std::sync::{LazyLock, OnceLock};

/// A pattern over ASCII digits, compiled to a DFA whose transitions are a table indexed by state
/// and digit: a check is one table lookup per digit, ending early at a dead state.
pub(super) struct DigitMatcher {
    /// `next[state * 10 + digit]`; state 0 is dead, state 1 the start.
    next: Vec<u32>,
    /// Whether the digits read so far match, per state.
    accepts: Vec<bool>,
    /// Whether any prefix of the input matching is enough (`leadingDigits`), rather than all of it.
    prefix: bool,
}

impl DigitMatcher {
    /// Matches when the whole input matches `pattern`.
    fn whole(pattern: &str) -> Self {
        Self::build(&format!("(?:{pattern})$"), false)
    }

    /// Matches when some prefix of the input matches `pattern`.
    fn prefix(pattern: &str) -> Self {
        Self::build(pattern, true)
    }

    /// Builds regex-automata's DFA for `pattern`, then copies its digit transitions into a table.
    fn build(pattern: &str, prefix: bool) -> Self {
        let dfa = dense::Builder::new()
            .configure(
                dense::Config::new()
                    .start_kind(StartKind::Anchored)
                    .minimize(false),
            )
            .syntax(syntax::Config::new().unicode(false).utf8(false))
            .build(pattern)
            .unwrap_or_else(|e| panic!("libphonenumber pattern {pattern:?} does not compile: {e}"));
        let start = dfa
            .start_state(&start::Config::new().anchored(Anchored::Yes))
            .expect("anchored start state exists");
        // Number the states reachable through digits: 0 dead, 1 start, then breadth first.
        let mut ids: HashMap<StateID, u32> = HashMap::new();
        let mut order: Vec<Option<StateID>> = vec![None, Some(start)];
        ids.insert(start, 1);
        let mut next = vec![0u32; 20];
        let mut i = 1;
        while i < order.len() {
            let state = order[i].expect("only the dead state has no id");
            for d in 0..10u8 {
                let to = dfa.next_state(state, b'0' + d);
                let id = if dfa.is_dead_state(to) {
                    0
                } else {
                    *ids.entry(to).or_insert_with(|| {
                        order.push(Some(to));
                        next.extend([0; 10]);
                        (order.len() - 1) as u32
                    })
                };
                next[i * 10 + usize::from(d)] = id;
            }
            i += 1;
        }
        let accepts = order
            .iter()
            .map(|state| state.is_some_and(|s| dfa.is_match_state(dfa.next_eoi_state(s))))
            .collect();
        DigitMatcher {
            next,
            accepts,
            prefix,
        }
    }

    /// Whether `digits` (ASCII digits) matches; see [`DigitMatcher::whole`] and
    /// [`DigitMatcher::prefix`].
    pub(super) fn is_match(&self, digits: &[u8]) -> bool {
        let mut state = 1usize;
        for &b in digits {
            if self.prefix && self.accepts[state] {
                return true;
            }
            let digit = usize::from(b.wrapping_sub(b'0'));
            if digit >= 10 {
                return false;
            }
            state = self.next[state * 10 + digit] as usize;
            if state == 0 {
                return false;
            }
        }
        self.accepts[state]
    }
}

/// Several [`DigitMatcher`]s run as one product DFA: one walk over a number tells which of the
/// patterns match it (bit `i` for pattern `i`). Used for a territory's type descriptions, which
/// `getNumberType` would otherwise check one after another.
pub(super) struct PatternSet {
    /// `next[state * 10 + digit]`; state 0 is dead (no pattern can match), state 1 the start.
    next: Vec<u32>,
    matched: Vec<u16>,
}

impl PatternSet {
    /// Above this many states the product is not built and the patterns are checked one by one.
    const MAX_STATES: usize = 20_000;

    fn build(parts: &[&DigitMatcher]) -> Option<Self> {
        if parts.is_empty() || parts.len() > 16 || parts.iter().any(|p| p.prefix) {
            return None;
        }
        let start: Vec<u32> = vec![1; parts.len()];
        let mut ids: HashMap<Vec<u32>, u32> = HashMap::new();
        ids.insert(start.clone(), 1);
        let mut order: Vec<Vec<u32>> = vec![vec![0; parts.len()], start];
        let mut next = vec![0u32; 20];
        let mut i = 1;
        while i < order.len() {
            for d in 0..10usize {
                let to: Vec<u32> = order[i]
                    .iter()
                    .zip(parts)
                    .map(|(&s, p)| p.next[s as usize * 10 + d])
                    .collect();
                let id = if to.iter().all(|&s| s == 0) {
                    0
                } else if let Some(&id) = ids.get(&to) {
                    id
                } else {
                    if order.len() >= Self::MAX_STATES {
                        return None;
                    }
                    let id = order.len() as u32;
                    ids.insert(to.clone(), id);
                    order.push(to);
                    next.extend([0; 10]);
                    id
                };
                next[i * 10 + d] = id;
            }
            i += 1;
        }
        let matched = order
            .iter()
            .map(|states| {
                states
                    .iter()
                    .zip(parts)
                    .enumerate()
                    .filter(|(_, (&s, p))| p.accepts[s as usize])
                    .fold(0u16, |mask, (bit, _)| mask | (1 << bit))
            })
            .collect();
        Some(PatternSet { next, matched })
    }

    /// The patterns that match all of `digits` (ASCII digits), as a bit set.
    fn matched(&self, digits: &[u8]) -> u16 {
        let mut state = 1usize;
        for &b in digits {
            let digit = usize::from(b.wrapping_sub(b'0'));
            if digit >= 10 {
                return 0;
            }
            state = self.next[state * 10 + digit] as usize;
            if state == 0 {
                return 0;
            }
        }
        self.matched[state]
    }
}

/// A set of national-number lengths (1..=31) as a bit mask.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub(super) struct Lengths(u32);

impl Lengths {
    fn from_list(list: &[u16]) -> Self {
        Lengths(
            list.iter()
                .filter(|&&n| (1..32).contains(&n))
                .fold(0, |mask, &n| mask | (1 << n)),
        )
    }

    /// Whether `len` is in the set.
    pub(super) fn contains(self, len: usize) -> bool {
        len < 32 && self.0 & (1 << len) != 0
    }

    /// The lengths for a message: `10`, `10 or 14`, `9, 10 or 11`.
    pub(super) fn describe(self) -> String {
        let all: Vec<String> = (1..32)
            .filter(|&n| self.contains(n))
            .map(|n| n.to_string())
            .collect();
        match all.split_last() {
            None => "no length".to_string(),
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        }
    }

    fn min(self) -> Option<usize> {
        (self.0 != 0).then(|| self.0.trailing_zeros() as usize)
    }

    fn max(self) -> Option<usize> {
        (self.0 != 0).then(|| 31 - self.0.leading_zeros() as usize)
    }
}

/// One number description (general, fixed line, mobile, ...): its pattern and lengths.
pub(super) struct Desc {
    pub(super) lengths: Lengths,
    pub(super) local_lengths: Lengths,
    pattern: DigitMatcher,
    source: String,
    /// The metadata's example number, if any (the tests derive numbers from it).
    #[cfg_attr(not(test), allow(dead_code))]
    example: Option<String>,
}

impl Desc {
    fn new(desc: &phonenumber::metadata::Descriptor) -> Self {
        let source = clean_pattern(desc.national_number().as_str());
        Desc {
            lengths: Lengths::from_list(desc.possible_length()),
            local_lengths: Lengths::from_list(desc.possible_local_length()),
            pattern: DigitMatcher::whole(&source),
            source,
            example: desc.example().map(str::to_string),
        }
    }

    /// libphonenumber's `_match_national_number`: the pattern alone, lengths not checked.
    pub(super) fn pattern_matches(&self, nsn: &[u8]) -> bool {
        self.pattern.is_match(nsn)
    }
}

/// What libphonenumber's `_test_number_length` says about a national number's length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum LengthCheck {
    /// A length numbers of the region have.
    Possible,
    /// A length only diallable locally (without an area code).
    LocalOnly,
    /// Shorter than any number of the region.
    TooShort,
    /// Longer than any number of the region.
    TooLong,
    /// Between the shortest and the longest, but not a length numbers have.
    Invalid,
}

/// A prefix to strip: plain digits (most regions) or a pattern matched at the start.
pub(super) enum Prefix {
    Digits(Box<str>),
    Pattern(regex::Regex),
}

impl Prefix {
    fn new(source: &str) -> Self {
        let source = clean_pattern(source);
        if !source.is_empty() && source.bytes().all(|b| b.is_ascii_digit()) {
            Prefix::Digits(source.into_boxed_str())
        } else {
            Prefix::Pattern(anchored_regex(&source))
        }
    }

    /// Where a match at the start of `digits` ends, if there is one.
    pub(super) fn match_end(&self, digits: &str) -> Option<usize> {
        match self {
            Prefix::Digits(p) => super::number::strip_digits(digits, p).map(|_| p.len()),
            Prefix::Pattern(re) => re.find(digits).map(|m| m.end()),
        }
    }
}

/// How a region strips its national prefix (and carrier code) when parsing.
pub(super) struct NationalPrefix {
    pub(super) prefix: Prefix,
    /// Capture groups of the pattern, when it has any.
    pub(super) captures: Option<regex::Regex>,
    /// `nationalPrefixTransformRule`, with `$1`-style group references.
    pub(super) transform: Option<String>,
}

/// One region's (or non-geographic entity's) numbering plan: its codes, and its patterns compiled
/// on first use (most programs only ever meet a handful of regions).
pub(super) struct Territory {
    pub(super) id: String,
    pub(super) country_code: u16,
    /// The country code in decimal, as it starts a number dialled without `+`.
    pub(super) country_code_digits: String,
    meta: &'static phonenumber::metadata::Metadata,
    compiled: OnceLock<Compiled>,
}

impl Territory {
    fn new(meta: &'static phonenumber::metadata::Metadata) -> Self {
        Territory {
            id: meta.id().to_string(),
            country_code: meta.country_code(),
            country_code_digits: meta.country_code().to_string(),
            meta,
            compiled: OnceLock::new(),
        }
    }
}

impl std::ops::Deref for Territory {
    type Target = Compiled;

    fn deref(&self) -> &Compiled {
        self.compiled.get_or_init(|| Compiled::new(self.meta))
    }
}

/// A territory's prefixes and patterns, compiled.
pub(super) struct Compiled {
    pub(super) idd: Option<Prefix>,
    pub(super) national_prefix: Option<NationalPrefix>,
    pub(super) general: Desc,
    /// The types checked before fixed line and mobile, in libphonenumber's order.
    pub(super) special: Vec<(PhoneKind, Desc)>,
    pub(super) fixed_line: Option<Desc>,
    pub(super) mobile: Option<Desc>,
    pub(super) same_mobile_and_fixed_line: bool,
    pub(super) leading_digits: Option<DigitMatcher>,
    /// General, special, fixed-line and mobile patterns in one DFA, in that bit order.
    types: Option<PatternSet>,
}

impl Compiled {
    fn new(meta: &phonenumber::metadata::Metadata) -> Self {
        let d = meta.descriptors();
        let typed = [
            (PhoneKind::PremiumRate, d.premium_rate()),
            (PhoneKind::TollFree, d.toll_free()),
            (PhoneKind::SharedCost, d.shared_cost()),
            (PhoneKind::Voip, d.voip()),
            (PhoneKind::PersonalNumber, d.personal_number()),
            (PhoneKind::Pager, d.pager()),
            (PhoneKind::Uan, d.uan()),
            (PhoneKind::Voicemail, d.voicemail()),
        ];
        let special: Vec<(PhoneKind, Desc)> = typed
            .iter()
            .filter_map(|(kind, desc)| desc.map(|desc| (*kind, Desc::new(desc))))
            .collect();
        let fixed_line = d.fixed_line().map(Desc::new);
        let mobile = d.mobile().map(Desc::new);

        // The general description's lengths are derived from every type except
        // noInternationalDialling, as libphonenumber's BuildMetadataFromXml does.
        let mut general = Desc::new(d.general());
        let all = special
            .iter()
            .map(|(_, desc)| desc)
            .chain(fixed_line.as_ref())
            .chain(mobile.as_ref());
        let (mut national, mut local) = (0u32, 0u32);
        for desc in all {
            national |= desc.lengths.0;
            local |= desc.local_lengths.0;
        }
        general.lengths = Lengths(national);
        general.local_lengths = Lengths(local & !national);

        let same_mobile_and_fixed_line = match (&fixed_line, &mobile) {
            (Some(f), Some(m)) => f.source == m.source,
            _ => false,
        };
        let national_prefix = meta
            .national_prefix_for_parsing()
            .map(|re| re.as_str().to_string())
            .or_else(|| meta.national_prefix().map(str::to_string))
            .filter(|s| !clean_pattern(s).is_empty())
            .map(|source| {
                let cleaned = clean_pattern(&source);
                let with_groups = anchored_regex(&cleaned);
                NationalPrefix {
                    prefix: Prefix::new(&cleaned),
                    captures: (with_groups.captures_len() > 1).then_some(with_groups),
                    transform: meta
                        .national_prefix_transform_rule()
                        .filter(|s| !s.is_empty())
                        .map(str::to_string),
                }
            });
        let mut parts: Vec<&DigitMatcher> = vec![&general.pattern];
        parts.extend(special.iter().map(|(_, d)| &d.pattern));
        parts.extend(fixed_line.iter().map(|d| &d.pattern));
        parts.extend(mobile.iter().map(|d| &d.pattern));
        let types = PatternSet::build(&parts);
        Compiled {
            types,
            idd: meta
                .international_prefix()
                .map(|re| Prefix::new(re.as_str())),
            national_prefix,
            general,
            special,
            fixed_line,
            mobile,
            same_mobile_and_fixed_line,
            leading_digits: meta
                .leading_digits()
                .map(|re| DigitMatcher::prefix(&clean_pattern(re.as_str()))),
        }
    }

    /// libphonenumber's `_number_type_helper`: the type of a national number in this plan.
    pub(super) fn number_type(&self, nsn: &[u8]) -> PhoneKind {
        match &self.types {
            Some(set) => {
                let matched = set.matched(nsn);
                self.type_from(nsn.len(), |bit, _| matched & (1 << bit) != 0)
            }
            None => self.type_from(nsn.len(), |_, desc| desc.pattern_matches(nsn)),
        }
    }

    /// `_number_type_helper` given which patterns match (`pattern(bit, desc)`, bits in
    /// [`Compiled::types`] order); lengths are checked here, before each pattern.
    fn type_from(&self, len: usize, pattern: impl Fn(usize, &Desc) -> bool) -> PhoneKind {
        let hit = |bit: usize, desc: &Desc| desc.lengths.contains(len) && pattern(bit, desc);
        if !hit(0, &self.general) {
            return PhoneKind::Unknown;
        }
        for (i, (kind, desc)) in self.special.iter().enumerate() {
            if hit(1 + i, desc) {
                return *kind;
            }
        }
        let fixed_bit = 1 + self.special.len();
        let mobile_bit = fixed_bit + usize::from(self.fixed_line.is_some());
        let is_mobile = || self.mobile.as_ref().is_some_and(|m| hit(mobile_bit, m));
        if self.fixed_line.as_ref().is_some_and(|f| hit(fixed_bit, f)) {
            if self.same_mobile_and_fixed_line || is_mobile() {
                return PhoneKind::FixedLineOrMobile;
            }
            return PhoneKind::FixedLine;
        }
        if !self.same_mobile_and_fixed_line && is_mobile() {
            return PhoneKind::Mobile;
        }
        PhoneKind::Unknown
    }

    /// libphonenumber's `_test_number_length` for the general description.
    pub(super) fn test_length(&self, len: usize) -> LengthCheck {
        let lengths = self.general.lengths;
        if self.general.local_lengths.contains(len) {
            return LengthCheck::LocalOnly;
        }
        let (Some(min), Some(max)) = (lengths.min(), lengths.max()) else {
            return LengthCheck::Invalid;
        };
        if len == min || lengths.contains(len) {
            LengthCheck::Possible
        } else if len < min {
            LengthCheck::TooShort
        } else if len > max {
            LengthCheck::TooLong
        } else {
            LengthCheck::Invalid
        }
    }
}

/// Every numbering plan, indexed by region and by country calling code.
pub(super) struct Plans {
    pub(super) territories: Vec<Territory>,
    /// Territory index + 1 for each two-letter region code (`AA` at 0 ... `ZZ` at 675), 0 if none.
    by_region: Vec<u16>,
    /// Territory indices for each country code below 1000, main region first.
    by_code: Vec<Vec<usize>>,
}

impl Plans {
    fn build() -> Self {
        let database = &*phonenumber::metadata::DATABASE;
        let mut metas: Vec<&'static phonenumber::metadata::Metadata> = Vec::new();
        // `iter` goes over regions by id, where the non-geographic entities (all "001") collapse
        // into one; `by_code` has each of them.
        for code in 1..1000u16 {
            if let Some(list) = database.by_code(&code) {
                metas.extend(list);
            }
        }
        let mut territories: Vec<Territory> = metas.into_iter().map(Territory::new).collect();
        territories
            .sort_by(|a, b| (a.country_code, a.id.as_str()).cmp(&(b.country_code, b.id.as_str())));
        let mut by_region = vec![0u16; 26 * 26];
        let mut by_code = vec![Vec::new(); 1000];
        for (index, t) in territories.iter().enumerate() {
            if t.id != "001" {
                if let Some(slot) = region_slot(t.id.as_bytes()) {
                    by_region[slot] = index as u16 + 1;
                }
            }
            by_code[usize::from(t.country_code)].push(index);
        }
        for (code, list) in by_code.iter_mut().enumerate() {
            if list.len() > 1 {
                let main = database
                    .region(&(code as u16))
                    .and_then(|ids| ids.first().map(|id| id.to_string()));
                if let Some(pos) = list
                    .iter()
                    .position(|&i| Some(&territories[i].id) == main.as_ref())
                {
                    let main = list.remove(pos);
                    list.insert(0, main);
                }
            }
        }
        Plans {
            territories,
            by_region,
            by_code,
        }
    }

    /// The territory index of an upper-case ISO 3166 region code.
    pub(super) fn region(&self, id: &str) -> Option<usize> {
        let slot = region_slot(id.as_bytes())?;
        self.by_region[slot].checked_sub(1).map(usize::from)
    }

    /// The territories of a country calling code, main region first (empty when unknown).
    pub(super) fn code(&self, code: u32) -> &[usize] {
        self.by_code
            .get(code as usize)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

/// Where an upper-case two-letter region code lives in [`Plans::by_region`].
fn region_slot(id: &[u8]) -> Option<usize> {
    match id {
        [a @ b'A'..=b'Z', b @ b'A'..=b'Z'] => {
            Some(usize::from(a - b'A') * 26 + usize::from(b - b'A'))
        }
        _ => None,
    }
}

/// The plans, compiled on first use.
pub(super) static PLANS: LazyLock<Plans> = LazyLock::new(Plans::build);

/// A metadata pattern with its layout whitespace removed, as libphonenumber's builder does.
fn clean_pattern(source: &str) -> String {
    source.chars().filter(|c| !c.is_whitespace()).collect()
}

fn anchored_regex(source: &str) -> regex::Regex {
    regex::RegexBuilder::new(&format!("^(?:{source})"))
        .unicode(false)
        .build()
        .unwrap_or_else(|e| panic!("libphonenumber pattern {source:?} does not compile: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russia_is_main_for_plus_seven_and_kazakhstan_follows() {
        let plans = &*PLANS;
        let ids: Vec<&str> = plans
            .code(7)
            .iter()
            .map(|&i| plans.territories[i].id.as_str())
            .collect();
        assert_eq!(ids, ["RU", "KZ"]);
        let ids: Vec<&str> = plans
            .code(44)
            .iter()
            .map(|&i| plans.territories[i].id.as_str())
            .collect();
        assert_eq!(ids, ["GB", "GG", "IM", "JE"]);
    }

    #[test]
    fn general_lengths_are_the_union_of_the_types() {
        let plans = &*PLANS;
        let ru = &plans.territories[plans.region("RU").unwrap()];
        assert!(ru.general.lengths.contains(10));
        assert!(ru.general.lengths.contains(14));
        assert!(!ru.general.lengths.contains(11));
        assert!(ru.general.local_lengths.contains(7));
        assert_eq!(ru.test_length(10), LengthCheck::Possible);
        assert_eq!(ru.test_length(7), LengthCheck::LocalOnly);
        assert_eq!(ru.test_length(5), LengthCheck::TooShort);
        assert_eq!(ru.test_length(12), LengthCheck::Invalid);
        assert_eq!(ru.test_length(15), LengthCheck::TooLong);
    }

    #[test]
    fn russian_types_follow_the_plan() {
        let plans = &*PLANS;
        let ru = &plans.territories[plans.region("RU").unwrap()];
        assert_eq!(ru.number_type(b"9123456789"), PhoneKind::Mobile);
        assert_eq!(ru.number_type(b"4951234567"), PhoneKind::FixedLine);
        assert_eq!(ru.number_type(b"8005553535"), PhoneKind::TollFree);
        assert_eq!(ru.number_type(b"7012345678"), PhoneKind::Unknown);
    }

    #[test]
    fn the_combined_type_walk_agrees_with_checking_each_pattern() {
        let plans = &*PLANS;
        let mut with_set = 0;
        for t in &plans.territories {
            let Some(set) = &t.types else { continue };
            with_set += 1;
            let samples = t
                .special
                .iter()
                .map(|(_, d)| d)
                .chain(t.fixed_line.as_ref())
                .chain(t.mobile.as_ref())
                .chain([&t.general]);
            for desc in samples {
                let Some(example) = &desc.example else {
                    continue;
                };
                // The example, every one-digit change of it, and its shorter and longer forms.
                let mut numbers = vec![
                    example.clone(),
                    format!("{example}0"),
                    example[1..].to_string(),
                ];
                for i in 0..example.len() {
                    for d in b'0'..=b'9' {
                        let mut changed = example.clone().into_bytes();
                        changed[i] = d;
                        numbers.push(String::from_utf8(changed).unwrap());
                    }
                }
                for nsn in numbers {
                    let nsn = nsn.as_bytes();
                    let one_by_one = t.type_from(nsn.len(), |_, d| d.pattern_matches(nsn));
                    let matched = set.matched(nsn);
                    let combined = t.type_from(nsn.len(), |bit, _| matched & (1 << bit) != 0);
                    assert_eq!(
                        combined,
                        one_by_one,
                        "{} {:?}",
                        t.id,
                        std::str::from_utf8(nsn)
                    );
                }
            }
        }
        assert!(
            with_set > 240,
            "only {with_set} territories have a combined walk"
        );
    }

    #[test]
    fn every_region_has_a_plan_and_non_geographic_codes_are_kept_apart() {
        let plans = &*PLANS;
        assert!(plans.territories.len() > 250);
        assert_eq!(plans.code(800).len(), 1);
        assert_eq!(plans.territories[plans.code(800)[0]].id, "001");
        assert_eq!(plans.territories[plans.code(882)[0]].country_code, 882);
        assert!(plans.code(999).is_empty());
    }
}
