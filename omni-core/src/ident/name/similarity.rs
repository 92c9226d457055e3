//! Comparing two normalised names: token similarity and an order-independent best alignment.
//!
//! Each token of one name is aligned with at most one token of the other so that the sum of
//! token similarities is largest. The score is that sum divided by the number of aligned pairs,
//! plus one for every *conflict* (a token on each side left unaligned: `Петров` against
//! `Сидоров`; 1.5 for two different patronymics), plus a small weight for every token present
//! on one side only (a missing patronymic, middle name or initial costs little; a missing
//! family or given name more).
//! Gender decides last: two names of clearly different genders score at most
//! [`GENDER_MISMATCH_CAP`].

use super::given::given_names;
use super::{NameView, TokenKind, TokenView};

/// Token similarity of a full name and a nickname or other form of the same given name,
/// or of two spellings with the same comparison key.
pub const SAME_TOKEN: f64 = 1.0;
/// Token similarity of the masculine and feminine forms of one name, surname or patronymic
/// (`Александр`/`Александра`, `Иванов`/`Иванова`, `Иванович`/`Ивановна`).
pub const GENDER_FORM: f64 = 0.7;
/// Token similarity of an initial and a full name that starts with it (`И.` and `Иван`).
pub const INITIAL_MATCH: f64 = 0.7;
/// The highest score of two names whose genders are both known and differ.
pub const GENDER_MISMATCH_CAP: f64 = 0.7;

/// Weight of a missing family or given name (present on one side only).
const MISSING_NAME: f64 = 0.5;
/// Weight of a missing second given name or middle name.
const MISSING_MIDDLE: f64 = 0.2;
/// Weight of a missing patronymic (when the name has a family name) or a second initial.
const MISSING_PATRONYMIC: f64 = 0.1;
/// Weight of a conflict: a token on each side that matches nothing on the other.
const CONFLICT: f64 = 1.0;
/// Weight of a conflict between two patronymics: different fathers are strong evidence of
/// different people (`Иван Петрович Иванов` / `Иван Сергеевич Иванов`).
const PATRONYMIC_CONFLICT: f64 = 1.5;

/// At most this many tokens of each name (the first in key order) take part in a comparison.
pub(crate) const MAX_COMPARED_TOKENS: usize = 8;

/// Jaro similarity of two byte strings (at most 64 bytes each are compared).
pub(crate) fn jaro(a: &[u8], b: &[u8]) -> f64 {
    let a = &a[..a.len().min(64)];
    let b = &b[..b.len().min(64)];
    if a == b {
        return if a.is_empty() { 0.0 } else { 1.0 };
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let (mut used_a, mut used_b) = (0u64, 0u64);
    let mut matches = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for (j, &cb) in b.iter().enumerate().take(hi).skip(lo) {
            if used_b & (1 << j) == 0 && ca == cb {
                used_a |= 1 << i;
                used_b |= 1 << j;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut half_transpositions = 0usize;
    let mut bits_b = used_b;
    let mut bits_a = used_a;
    while bits_a != 0 {
        let i = bits_a.trailing_zeros() as usize;
        let j = bits_b.trailing_zeros() as usize;
        if a[i] != b[j] {
            half_transpositions += 1;
        }
        bits_a &= bits_a - 1;
        bits_b &= bits_b - 1;
    }
    let m = matches as f64;
    let t = (half_transpositions / 2) as f64;
    (m / a.len() as f64 + m / b.len() as f64 + (m - t) / m) / 3.0
}

/// Jaro-Winkler similarity: Jaro boosted by a common prefix of up to 4 bytes (scale 0.1,
/// applied above Jaro 0.7 as Winkler proposed).
pub(crate) fn jaro_winkler(a: &[u8], b: &[u8]) -> f64 {
    let j = jaro(a, b);
    if j <= 0.7 {
        return j;
    }
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count();
    j + prefix as f64 * 0.1 * (1.0 - j)
}

/// Maps Jaro-Winkler to a token score: at least 0.9 is a typo of the same token and counts as
/// is, below 0.8 is a different token, and the band between ramps linearly from 0 to 0.9.
fn typo_score(jw: f64) -> f64 {
    if jw >= 0.9 {
        jw
    } else if jw >= TYPO_FLOOR {
        (jw - TYPO_FLOOR) * 9.0
    } else {
        0.0
    }
}

/// How similar two tokens are, from 0 to 1.
pub(crate) fn token_similarity<'a, T: TokenView<'a>>(a: T, b: T) -> f64 {
    if a.initial() || b.initial() {
        return initial_similarity(a, b);
    }
    if a.hash() == b.hash() && a.key() == b.key() {
        return SAME_TOKEN;
    }
    if let (Some(ga), Some(gb)) = (a.given(), b.given()) {
        // The bit sets rule out most pairs of different names without the table.
        if a.groups().bits & b.groups().bits != 0 && given_names().same_name(ga, gb) {
            return SAME_TOKEN;
        }
        if a.groups().pair_bits & b.groups().bits != 0 && given_names().gender_pair(ga, gb) {
            return GENDER_FORM;
        }
        return 0.0;
    }
    // A given name is never a patronymic (`Сергей` / `Сергеевич`).
    if (a.kind() == TokenKind::Patronymic && b.given().is_some())
        || (b.kind() == TokenKind::Patronymic && a.given().is_some())
    {
        return 0.0;
    }
    let (x, y) = (a.key().as_bytes(), b.key().as_bytes());
    if let (Some(fa), Some(fb)) = (a.form(), b.form()) {
        if fa.gender != fb.gender && x[..fa.stem_len as usize] == y[..fb.stem_len as usize] {
            return GENDER_FORM;
        }
    }
    let (short, long) = if x.len() <= y.len() { (x, y) } else { (y, x) };
    // `Иван` and `Иванов`, `Петров` and `Петрович`: a name and one derived from it.
    if long.len() >= short.len() + 2 && short.first() == long.first() && long.starts_with(short) {
        return 0.0;
    }
    let by_key = if may_reach_typo_floor(a, b) {
        typo_score(jaro_winkler(x, y))
    } else {
        0.0
    };
    if by_key >= 0.9 {
        return by_key;
    }
    // Within one script, judge a typo on the letters themselves: one wrong Cyrillic letter
    // (`Татьчна` for `Татьяна`) can become two in the Latin key and look like another name.
    let (mut ca, mut cb) = ([0u8; 64], [0u8; 64]);
    match (
        cyrillic_bytes(a.text(), &mut ca),
        cyrillic_bytes(b.text(), &mut cb),
    ) {
        (Some(la), Some(lb)) => by_key.max(typo_score(jaro_winkler(&ca[..la], &cb[..lb]))),
        _ => by_key,
    }
}

/// Writes a Cyrillic token as one byte per letter (for Jaro-Winkler on letters) into `out`;
/// the length, or `None` when it has other characters or more letters than `out` holds.
fn cyrillic_bytes(text: &str, out: &mut [u8; 64]) -> Option<usize> {
    let mut len = 0;
    for c in text.chars() {
        let byte = match c {
            'а'..='я' => (c as u32 - 'а' as u32) as u8 + 0x80,
            'ё' => 0xc0,
            _ => return None,
        };
        *out.get_mut(len)? = byte;
        len += 1;
    }
    Some(len)
}

/// Jaro-Winkler below this is a different token (see [`typo_score`]).
const TYPO_FLOOR: f64 = 0.8;

/// Whether two tokens' keys can have Jaro-Winkler of at least [`TYPO_FLOOR`], from an upper
/// bound: the bytes the keys have in common bound the matches `m` (with no transpositions),
/// and the common prefix bounds the Winkler boost. Most pairs of different names are rejected
/// here, with integer arithmetic on values precomputed by normalisation.
fn may_reach_typo_floor<'a, T: TokenView<'a>>(a: T, b: T) -> bool {
    let (lx, ly) = (a.key().len() as u64, b.key().len() as u64);
    if lx == 0 || ly == 0 {
        return false;
    }
    let m = common_bytes_bound(a, b).min(lx).min(ly);
    let prefix = common_prefix(a, b);
    // Jaro <= n / d with n = m·(lx + ly) + lx·ly and d = 3·lx·ly; Jaro-Winkler <= bound with
    // 10·bound·d = n·(10 − p) + p·d. Compare 10·bound·d with 10·floor·d = 8·d.
    let n = m * (lx + ly) + lx * ly;
    let d = 3 * lx * ly;
    n * (10 - prefix) + prefix * d >= 8 * d
}

/// An upper bound on how many bytes two keys have in common (counted with multiplicity).
fn common_bytes_bound<'a, T: TokenView<'a>>(a: T, b: T) -> u64 {
    let (pa, pb) = (a.planes(), b.planes());
    if pa[2] & pb[2] != 0 {
        // A byte three or more times in both keys: the planes do not bound it.
        return a.key().len().min(b.key().len()) as u64;
    }
    u64::from((pa[0] & pb[0]).count_ones() + (pa[1] & pb[1]).count_ones())
}

/// The common prefix of two keys, up to 4 bytes.
fn common_prefix<'a, T: TokenView<'a>>(a: T, b: T) -> u64 {
    let equal_bytes = u64::from((a.head() ^ b.head()).trailing_zeros() / 8);
    equal_bytes
        .min(4)
        .min(a.key().len() as u64)
        .min(b.key().len() as u64)
}

fn initial_similarity<'a, T: TokenView<'a>>(a: T, b: T) -> f64 {
    match (a.initial(), b.initial()) {
        (true, true) => {
            if a.key() == b.key() {
                SAME_TOKEN
            } else {
                0.0
            }
        }
        _ => {
            let (init, full) = if a.initial() { (a, b) } else { (b, a) };
            let by_key = full.key().starts_with(init.key());
            let by_name = full
                .given()
                .is_some_and(|g| given_names().initial_matches(g, init.key()));
            if by_key || by_name {
                INITIAL_MATCH
            } else {
                0.0
            }
        }
    }
}

/// The best alignment: for each token of `a` (by position in its comparison order), the index
/// of its partner in `b`, maximising the sum of similarities. Exhaustive when the smaller side
/// has up to 4 tokens, greedy beyond (only unusual names have more).
fn best_alignment(
    sim: &[[f64; MAX_COMPARED_TOKENS]; MAX_COMPARED_TOKENS],
    n: usize,
    m: usize,
) -> [Option<u8>; MAX_COMPARED_TOKENS] {
    if n.min(m) <= 4 {
        let mut search = Search {
            sim,
            n,
            m,
            current: [None; MAX_COMPARED_TOKENS],
            best: [None; MAX_COMPARED_TOKENS],
            best_sum: -1.0,
        };
        search.run(0, 0, 0.0);
        return search.best;
    }
    let mut best = [None; MAX_COMPARED_TOKENS];
    let (mut used_a, mut used_b) = (0u32, 0u32);
    loop {
        let mut top: Option<(usize, usize, f64)> = None;
        for (i, row) in sim.iter().enumerate().take(n) {
            if used_a & (1 << i) != 0 {
                continue;
            }
            for (j, &s) in row.iter().enumerate().take(m) {
                if used_b & (1 << j) == 0 && s > 0.0 && top.map_or(true, |(_, _, t)| s > t) {
                    top = Some((i, j, s));
                }
            }
        }
        let Some((i, j, _)) = top else { break };
        best[i] = Some(j as u8);
        used_a |= 1 << i;
        used_b |= 1 << j;
    }
    best
}

/// Depth-first search over partial assignments, following only pairs with similarity above 0
/// (most pairs are 0, so the tree is small). The first best assignment found wins, which is
/// deterministic because tokens are visited in comparison order.
struct Search<'a> {
    sim: &'a [[f64; MAX_COMPARED_TOKENS]; MAX_COMPARED_TOKENS],
    n: usize,
    m: usize,
    current: [Option<u8>; MAX_COMPARED_TOKENS],
    best: [Option<u8>; MAX_COMPARED_TOKENS],
    best_sum: f64,
}

impl Search<'_> {
    fn run(&mut self, i: usize, used: u32, sum: f64) {
        if i == self.n {
            if sum > self.best_sum {
                self.best_sum = sum;
                self.best = self.current;
            }
            return;
        }
        for j in 0..self.m {
            let s = self.sim[i][j];
            if s > 0.0 && used & (1 << j) == 0 {
                self.current[i] = Some(j as u8);
                self.run(i + 1, used | (1 << j), sum + s);
            }
        }
        self.current[i] = None;
        self.run(i + 1, used, sum);
    }
}

/// Whether two unaligned tokens, one on each side, contradict each other.
fn conflicting<'a, T: TokenView<'a>>(a: T, b: T) -> bool {
    match (a.kind(), b.kind()) {
        (TokenKind::Initial, _) | (_, TokenKind::Initial) => true,
        (x, y) => x == y,
    }
}

/// The weight of the tokens of one side that are present on that side only.
fn missing_weight<N: NameView>(name: &N, unaligned: &[usize], aligned_given: bool) -> f64 {
    let has_family = name
        .tokens()
        .any(|t| t.kind() == TokenKind::Full && t.given().is_none());
    let mut given_seen = aligned_given;
    let mut total = 0.0;
    for &t in unaligned {
        let token = name.token(t);
        total += match token.kind() {
            TokenKind::Patronymic if has_family => MISSING_PATRONYMIC,
            TokenKind::Patronymic => MISSING_NAME,
            TokenKind::Initial if given_seen => MISSING_PATRONYMIC,
            TokenKind::Full if token.given().is_some() && given_seen => MISSING_MIDDLE,
            TokenKind::Initial => {
                given_seen = true;
                MISSING_NAME
            }
            TokenKind::Full if token.given().is_some() => {
                given_seen = true;
                MISSING_NAME
            }
            TokenKind::Full => MISSING_NAME,
            TokenKind::Particle => 0.0,
        };
    }
    total
}

fn given_like<'a, T: TokenView<'a>>(t: T) -> bool {
    t.kind() == TokenKind::Initial || (t.kind() == TokenKind::Full && t.given().is_some())
}

/// How similar two normalised names are, from 0 to 1 (see the module documentation).
pub(crate) fn similarity<N: NameView>(a: &N, b: &N) -> f64 {
    similarity_with(a, b, true)
}

/// [`similarity`]; with `same_data_shortcut`, names with the same comparison data score 1.0
/// without aligning their tokens. That is what the alignment gives them: every token meets
/// its twin (same key, so similarity 1.0), nothing is left over or conflicting, and the
/// genders agree, so the score is `n / n`.
fn similarity_with<N: NameView>(a: &N, b: &N, same_data_shortcut: bool) -> f64 {
    // Compare in a canonical argument order so that the result is exactly symmetric.
    let order = canonical_order(a, b);
    if same_data_shortcut && order.is_eq() && !a.compare_order().is_empty() {
        return 1.0;
    }
    let (a, b) = if order.is_le() { (a, b) } else { (b, a) };
    let (ao, bo) = (a.compare_order(), b.compare_order());
    let ai = &ao[..ao.len().min(MAX_COMPARED_TOKENS)];
    let bi = &bo[..bo.len().min(MAX_COMPARED_TOKENS)];
    let (n, m) = (ai.len(), bi.len());
    if n == 0 || m == 0 {
        return 0.0;
    }
    let mut sim = [[0.0; MAX_COMPARED_TOKENS]; MAX_COMPARED_TOKENS];
    for (i, &ta) in ai.iter().enumerate() {
        for (j, &tb) in bi.iter().enumerate() {
            sim[i][j] = token_similarity(a.token(ta as usize), b.token(tb as usize));
        }
    }
    let alignment = best_alignment(&sim, n, m);
    let mut matched_sum = 0.0;
    let mut pairs = 0usize;
    let mut used_b = 0u32;
    let mut aligned_given_a = false;
    let mut aligned_given_b = false;
    let mut left_a: [usize; MAX_COMPARED_TOKENS] = [0; MAX_COMPARED_TOKENS];
    let mut left_a_len = 0;
    for (i, partner) in alignment.iter().enumerate().take(n) {
        match partner {
            Some(j) => {
                let j = *j as usize;
                matched_sum += sim[i][j];
                pairs += 1;
                used_b |= 1 << j;
                aligned_given_a |= given_like(a.token(ai[i] as usize));
                aligned_given_b |= given_like(b.token(bi[j] as usize));
            }
            None => {
                left_a[left_a_len] = ai[i] as usize;
                left_a_len += 1;
            }
        }
    }
    let mut left_b: [usize; MAX_COMPARED_TOKENS] = [0; MAX_COMPARED_TOKENS];
    let mut left_b_len = 0;
    for (j, &tb) in bi.iter().enumerate() {
        if used_b & (1 << j) == 0 {
            left_b[left_b_len] = tb as usize;
            left_b_len += 1;
        }
    }
    // Pair up unaligned tokens that contradict each other: first same kinds, then initials.
    let mut conflicts = 0.0;
    let mut taken_b = 0u32;
    let mut rest_a: [usize; MAX_COMPARED_TOKENS] = [0; MAX_COMPARED_TOKENS];
    let mut rest_a_len = 0;
    for &ta in &left_a[..left_a_len] {
        let token_a = a.token(ta);
        let same_kind = (0..left_b_len)
            .find(|&k| taken_b & (1 << k) == 0 && b.token(left_b[k]).kind() == token_a.kind());
        let any = || {
            (0..left_b_len)
                .find(|&k| taken_b & (1 << k) == 0 && conflicting(token_a, b.token(left_b[k])))
        };
        match same_kind.or_else(any) {
            Some(k) => {
                taken_b |= 1 << k;
                let both_patronymics = token_a.kind() == TokenKind::Patronymic
                    && b.token(left_b[k]).kind() == TokenKind::Patronymic;
                conflicts += if both_patronymics {
                    PATRONYMIC_CONFLICT
                } else {
                    CONFLICT
                };
                aligned_given_a |= given_like(token_a);
                aligned_given_b |= given_like(b.token(left_b[k]));
            }
            None => {
                rest_a[rest_a_len] = ta;
                rest_a_len += 1;
            }
        }
    }
    let mut rest_b: [usize; MAX_COMPARED_TOKENS] = [0; MAX_COMPARED_TOKENS];
    let mut rest_b_len = 0;
    for (k, &tb) in left_b[..left_b_len].iter().enumerate() {
        if taken_b & (1 << k) == 0 {
            rest_b[rest_b_len] = tb;
            rest_b_len += 1;
        }
    }
    let missing = missing_weight(a, &rest_a[..rest_a_len], aligned_given_a)
        + missing_weight(b, &rest_b[..rest_b_len], aligned_given_b);
    let denominator = pairs as f64 + conflicts + missing;
    let mut score = if denominator > 0.0 {
        matched_sum / denominator
    } else {
        0.0
    };
    if let (Some(ga), Some(gb)) = (a.gender(), b.gender()) {
        if ga != gb {
            score = score.min(GENDER_MISMATCH_CAP);
        }
    }
    score.clamp(0.0, 1.0)
}

/// How `a` and `b` compare in the canonical argument order (by the comparison data only):
/// `Less` or `Equal` when `(a, b)` is that order; `Equal` when the comparison data are the
/// same.
fn canonical_order<N: NameView>(a: &N, b: &N) -> std::cmp::Ordering {
    if a.signature() != b.signature() {
        return a.signature().cmp(&b.signature());
    }
    let ka = a.compare_order().iter().map(|&i| a.token(i as usize));
    let kb = b.compare_order().iter().map(|&i| b.token(i as usize));
    ka.map(|t| (t.key(), t.kind(), t.form()))
        .cmp(kb.map(|t| (t.key(), t.kind(), t.form())))
        .then(a.gender().cmp(&b.gender()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jaro_winkler_matches_published_values() {
        // Winkler's examples: MARTHA/MARHTA 0.961, DWAYNE/DUANE 0.84, DIXON/DICKSONX 0.813.
        let close = |x: f64, y: f64| (x - y).abs() < 0.001;
        assert!(close(jaro_winkler(b"martha", b"marhta"), 0.961));
        assert!(close(jaro_winkler(b"dwayne", b"duane"), 0.84));
        assert!(close(jaro_winkler(b"dixon", b"dicksonx"), 0.813));
        assert_eq!(jaro_winkler(b"ivan", b"ivan"), 1.0);
        assert_eq!(jaro_winkler(b"", b"ivan"), 0.0);
        assert_eq!(jaro_winkler(b"abc", b"xyz"), 0.0);
    }

    proptest::proptest! {
        #[test]
        fn the_bound_never_rejects_a_typo(a in "[a-eJ]{1,10}", b in "[a-eJ]{1,10}") {
            let token = |key: &str| super::super::normalize_name("xy").map(|mut n| {
                let mut t = n.tokens.remove(0);
                t.key = key.to_string();
                t.planes = super::super::key::key_planes(key);
                t.head = super::super::key::key_head(key);
                t
            }).unwrap();
            let (ta, tb) = (token(&a), token(&b));
            let exact = jaro_winkler(a.as_bytes(), b.as_bytes());
            let mut common = 0u64;
            for c in b'a'..=b'z' {
                let (x, y) = (a.bytes().filter(|&d| d == c).count(), b.bytes().filter(|&d| d == c).count());
                common += x.min(y) as u64;
            }
            common += a.matches('J').count().min(b.matches('J').count()) as u64;
            proptest::prop_assert!(common_bytes_bound(&ta, &tb) >= common);
            if exact >= TYPO_FLOOR {
                proptest::prop_assert!(may_reach_typo_floor(&ta, &tb), "{} ~ {} = {}", a, b, exact);
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn the_same_data_shortcut_gives_what_the_alignment_gives(
            a in "(Иван|ИВАН|иван|Ivan|И\\.|Саша|Sasha|Анна-Мария|van|Мария) (Петров|ПЕТРОВ|Petrov|Петрова|Иванович|de|Smith)( (Иванович|Петровна|J\\.|Lee))?",
            b in "(Иван|ИВАН|иван|Ivan|И\\.|Саша|Sasha|Анна-Мария|van|Мария) (Петров|ПЕТРОВ|Petrov|Петрова|Иванович|de|Smith)( (Иванович|Петровна|J\\.|Lee))?",
        ) {
            let (Ok(x), Ok(y)) = (super::super::normalize_name(&a), super::super::normalize_name(&b)) else {
                return Ok(());
            };
            let full = similarity_with(&x, &y, false);
            proptest::prop_assert_eq!(similarity_with(&x, &y, true).to_bits(), full.to_bits());
            if canonical_order(&x, &y).is_eq() {
                proptest::prop_assert_eq!(full, 1.0);
            }
        }
    }

    #[test]
    fn names_with_the_same_comparison_data_score_one_either_way() {
        for (a, b) in [
            ("Иван Петров", "ИВАН ПЕТРОВ"),
            ("Петров Иван", "Иван Петров"),
            ("И. Петров", "Петров И."),
            ("van der Berg Jan", "Jan van der Berg"),
        ] {
            let x = super::super::normalize_name(a).unwrap();
            let y = super::super::normalize_name(b).unwrap();
            assert!(canonical_order(&x, &y).is_eq(), "{a} / {b}");
            assert_eq!(similarity_with(&x, &y, false), 1.0, "{a} / {b}");
            assert_eq!(similarity_with(&x, &y, true), 1.0, "{a} / {b}");
        }
    }

    #[test]
    fn typo_score_is_continuous_and_monotone() {
        let mut last = 0.0;
        for i in 0..=1000 {
            let s = typo_score(i as f64 / 1000.0);
            assert!(s >= last && (s - last) < 0.01, "jump at {i}");
            last = s;
        }
    }
}
