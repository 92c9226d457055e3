//! Email addresses: validation and a canonical matching key that follows provider rules.
//!
//! The canonical key is for matching (`Ivan.Petrov+shop@GMAIL.com` and `ivanpetrov@gmail.com`
//! are one mailbox); the original is kept for display and sending.
//!
//! # What is accepted
//! Surrounding whitespace, a `mailto:` prefix (with `?subject=...` and `%40`-style escapes), a
//! display-name form (`Иван <ivan@example.com>`, `"Petrov, Ivan" <ivan@example.com>`) and
//! trailing dots (`... пишите на ivan@mail.ru.`) are removed; what is left must be one address
//! that the `email_address` crate accepts and that also passes these stricter rules: the domain
//! has a dot and does not end in a numeric label (`ivan@mail`, `ivan@10.0.0.1` are rejected), and
//! domain literals (`ivan@[10.0.0.1]`) are rejected. Internationalised domains are accepted in
//! either form (`почта.рф`, `xn--80a1acny.xn--p1ai`) and keyed by their Unicode form after
//! UTS #46 mapping (so both give `почта.рф`).
//!
//! # The canonical key
//! The domain is always lower-cased. The local part is lower-cased too: this assumes the mailbox
//! is case-insensitive, which RFC 5321 does not promise but practically every provider does. A
//! quoted local part (`"ivan"@example.com`) is unquoted when its content needs no quotes. Then
//! the provider whose table entry lists the domain applies its rules. The default table
//! ([`EmailRules::default`]) is:
//!
//! | provider  | domains                                                    | keyed as      | dots             | tag   |
//! |-----------|------------------------------------------------------------|---------------|------------------|-------|
//! | `gmail`   | gmail.com, googlemail.com                                  | gmail.com     | ignored          | `+`   |
//! | `outlook` | outlook.com, hotmail.com, live.com, msn.com, and country variants (hotmail.co.uk, live.ru, ...) | each its own | kept | `+` |
//! | `icloud`  | icloud.com, me.com, mac.com                                | icloud.com    | kept             | `+`   |
//! | `yahoo`   | yahoo.com, ymail.com, rocketmail.com, and country variants | each its own  | kept             | `-`   |
//! | `yandex`  | yandex.ru, yandex.com, yandex.by, yandex.kz, yandex.ua, ya.ru | yandex.ru  | same as a hyphen | `+`   |
//! | `mail_ru` | mail.ru, inbox.ru, list.ru, bk.ru, internet.ru             | each its own  | kept             | none  |
//!
//! Why: Gmail ignores dots and everything after `+`, and googlemail.com is the same mailbox; Google
//! Workspace custom domains do not follow the dot rule, so only the two Gmail domains are listed.
//! Outlook.com, Hotmail, Live and MSN deliver `name+tag@` to `name@` but are separate mailboxes per
//! domain. Apple's iCloud delivers `+tag`, and an `@me.com` or `@mac.com` account always has the
//! same name at `@icloud.com`. Yahoo's disposable addresses are `base-keyword@` (Yahoo user names
//! cannot contain a hyphen, so the base name keys the person). A Yandex account owns its login at
//! every Yandex domain, a dot and a hyphen in a login are the same mailbox, and `login+tag@` is
//! delivered. Mail.ru, Inbox.ru, List.ru, Bk.ru and Internet.ru are separate mailboxes with no
//! tag rule. A tag is removed only when something is left before it.
//!
//! The table is data: start from [`EmailRules::default`] or [`EmailRules::empty`], then
//! [`EmailRules::set_provider`] / [`EmailRules::remove_provider`], or read a whole table from JSON
//! ([`EmailRules::from_json`]) in the shape [`EmailRules::to_json`] writes.

use crate::error::{Error, ErrorKind, Result};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// The longest email input accepted, in bytes (a display name and `mailto:` included).
pub const MAX_EMAIL_INPUT: usize = 320;

/// A validated email address with its canonical matching key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Email {
    /// The address as written (case kept), without display name, `mailto:`, surrounding
    /// whitespace or trailing dots: the form to show and to send to.
    pub original: String,
    /// The canonical matching key (lower case, provider rules applied).
    pub canonical: String,
    /// The provider family whose rules applied (`gmail`, `yandex`, ...), if any.
    pub provider: Option<String>,
}

/// How a provider treats dots in the local part.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DotRule {
    /// Dots are significant (`ivan.petrov` and `ivanpetrov` are different mailboxes).
    #[default]
    Keep,
    /// Dots are ignored (Gmail): they are removed from the key.
    Ignore,
    /// A dot is the same as a hyphen (Yandex): dots become hyphens in the key.
    SameAsHyphen,
}

/// One provider's rules in an [`EmailRules`] table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailProvider {
    /// The provider family name reported in [`Email::provider`] (`gmail`).
    pub name: String,
    /// Every domain this provider serves, lower case (`gmail.com`, `googlemail.com`).
    pub domains: Vec<String>,
    /// The domain every listed domain is keyed as, when they are one mailbox (`gmail.com`);
    /// `None` when each domain is a separate mailbox.
    #[serde(default)]
    pub canonical_domain: Option<String>,
    /// How dots in the local part are treated.
    #[serde(default)]
    pub dots: DotRule,
    /// The sub-address (tag) separator: `name+tag@` is `name@` when it is `+`.
    #[serde(default)]
    pub subaddress_separator: Option<char>,
}

impl EmailProvider {
    /// A provider with no rules (dots kept, no tags, each domain separate) for `domains`.
    pub fn new(name: impl Into<String>, domains: &[&str]) -> Self {
        EmailProvider {
            name: name.into(),
            domains: domains.iter().map(|d| (*d).to_string()).collect(),
            canonical_domain: None,
            dots: DotRule::Keep,
            subaddress_separator: None,
        }
    }
}

/// Provider rules for canonical email keys. [`EmailRules::default`] is the documented table (see
/// the [module docs](self)).
///
/// Serialises as `{"providers": [{"name": ..., "domains": [...], "canonical_domain": ...,
/// "dots": "keep" | "ignore" | "same_as_hyphen", "subaddress_separator": "+"}]}`.
///
/// # Example
/// ```
/// use omni_core::ident::email::{EmailProvider, EmailRules};
///
/// let mut rules = EmailRules::default();
/// let mut corp = EmailProvider::new("acme", &["acme.example", "acme-mail.example"]);
/// corp.canonical_domain = Some("acme.example".into());
/// corp.subaddress_separator = Some('+');
/// rules.set_provider(corp).unwrap();
/// let e = rules.normalize("Ivan+crm@ACME-mail.example").unwrap();
/// assert_eq!(e.canonical, "ivan@acme.example");
/// assert_eq!(e.provider.as_deref(), Some("acme"));
/// ```
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(try_from = "EmailRulesTable", into = "EmailRulesTable")]
pub struct EmailRules {
    providers: Vec<EmailProvider>,
    by_domain: DomainIndex,
}

impl PartialEq for EmailRules {
    fn eq(&self, other: &Self) -> bool {
        // The index is derived from the providers.
        self.providers == other.providers
    }
}

impl Eq for EmailRules {}

/// Domain -> provider index: open addressing over a hash of the length and the first and last
/// eight bytes, then one comparison. Domain keys are short and the table is small, so this is
/// a few nanoseconds where a general hash map spent tens (it showed up in the email benchmark).
/// The table is built by the caller, so collision resistance does not matter here.
#[derive(Clone, Debug, Default)]
struct DomainIndex {
    /// Entry index + 1 per slot (0 is empty); the length is a power of two, at least twice the
    /// number of entries, or zero.
    slots: Vec<u32>,
    /// Hash, domain and provider index.
    entries: Vec<(u64, Box<str>, usize)>,
}

impl DomainIndex {
    #[inline]
    fn hash(d: &[u8]) -> u64 {
        let n = d.len();
        let (head, tail) = match (d.get(..8), n.checked_sub(8).and_then(|k| d.get(k..))) {
            (Some(h), Some(t)) => (le_word(h), le_word(t)),
            _ => (d.iter().rev().fold(0, |w, &b| (w << 8) | u64::from(b)), 0),
        };
        let h = (head ^ tail.rotate_left(29) ^ (n as u64)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        h ^ (h >> 29)
    }

    fn build<'a>(domains: impl Iterator<Item = (&'a str, usize)>) -> Self {
        let entries: Vec<(u64, Box<str>, usize)> = domains
            .map(|(d, i)| (Self::hash(d.as_bytes()), d.into(), i))
            .collect();
        if entries.is_empty() {
            return DomainIndex::default();
        }
        let size = (entries.len() * 2).next_power_of_two();
        let mut slots = vec![0u32; size];
        for (e, (h, _, _)) in entries.iter().enumerate() {
            let mut i = *h as usize & (size - 1);
            while slots[i] != 0 {
                i = (i + 1) & (size - 1);
            }
            // Tables hold far fewer than 2^32 domains (each came through `set_provider`).
            slots[i] = u32::try_from(e + 1).unwrap_or(u32::MAX);
        }
        DomainIndex { slots, entries }
    }

    #[inline]
    fn get(&self, domain: &[u8]) -> Option<usize> {
        let mask = self.slots.len().checked_sub(1)?;
        let h = Self::hash(domain);
        let mut i = h as usize & mask;
        loop {
            let slot = *self.slots.get(i)? as usize;
            let (eh, d, provider) = self.entries.get(slot.checked_sub(1)?)?;
            if *eh == h && d.as_bytes() == domain {
                return Some(*provider);
            }
            i = (i + 1) & mask;
        }
    }
}

/// The first eight bytes of `b` (which has at least eight) as a little-endian word.
#[inline]
fn le_word(b: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    if let Some(b) = b.get(..8) {
        w.copy_from_slice(b);
    }
    u64::from_le_bytes(w)
}

/// The serialised shape of [`EmailRules`].
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EmailRulesTable {
    providers: Vec<EmailProvider>,
}

impl TryFrom<EmailRulesTable> for EmailRules {
    type Error = Error;

    fn try_from(table: EmailRulesTable) -> Result<Self> {
        let mut rules = EmailRules::empty();
        for (i, provider) in table.providers.into_iter().enumerate() {
            rules
                .set_provider(provider)
                .map_err(|e| e.at(format_args!("providers[{i}]")))?;
        }
        Ok(rules)
    }
}

impl From<EmailRules> for EmailRulesTable {
    fn from(rules: EmailRules) -> Self {
        EmailRulesTable {
            providers: rules.providers,
        }
    }
}

impl Default for EmailRules {
    fn default() -> Self {
        fn provider(
            name: &str,
            domains: &[&str],
            canonical_domain: Option<&str>,
            dots: DotRule,
            subaddress_separator: Option<char>,
        ) -> EmailProvider {
            EmailProvider {
                canonical_domain: canonical_domain.map(str::to_string),
                dots,
                subaddress_separator,
                ..EmailProvider::new(name, domains)
            }
        }
        let table = [
            provider(
                "gmail",
                &["gmail.com", "googlemail.com"],
                Some("gmail.com"),
                DotRule::Ignore,
                Some('+'),
            ),
            provider(
                "outlook",
                &[
                    "outlook.com",
                    "outlook.de",
                    "outlook.fr",
                    "outlook.es",
                    "outlook.it",
                    "hotmail.com",
                    "hotmail.co.uk",
                    "hotmail.de",
                    "hotmail.fr",
                    "hotmail.it",
                    "hotmail.es",
                    "live.com",
                    "live.ru",
                    "live.co.uk",
                    "live.de",
                    "live.fr",
                    "msn.com",
                ],
                None,
                DotRule::Keep,
                Some('+'),
            ),
            provider(
                "icloud",
                &["icloud.com", "me.com", "mac.com"],
                Some("icloud.com"),
                DotRule::Keep,
                Some('+'),
            ),
            provider(
                "yahoo",
                &[
                    "yahoo.com",
                    "yahoo.co.uk",
                    "yahoo.de",
                    "yahoo.fr",
                    "yahoo.it",
                    "yahoo.es",
                    "ymail.com",
                    "rocketmail.com",
                ],
                None,
                DotRule::Keep,
                Some('-'),
            ),
            provider(
                "yandex",
                &[
                    "yandex.ru",
                    "yandex.com",
                    "yandex.by",
                    "yandex.kz",
                    "yandex.ua",
                    "ya.ru",
                ],
                Some("yandex.ru"),
                DotRule::SameAsHyphen,
                Some('+'),
            ),
            provider(
                "mail_ru",
                &["mail.ru", "inbox.ru", "list.ru", "bk.ru", "internet.ru"],
                None,
                DotRule::Keep,
                None,
            ),
        ];
        let mut rules = EmailRules::empty();
        for p in table {
            rules
                .set_provider(p)
                .expect("the default email provider table is consistent");
        }
        rules
    }
}

impl EmailRules {
    /// A table with no providers: every address is only lower-cased.
    pub fn empty() -> Self {
        EmailRules {
            providers: Vec::new(),
            by_domain: DomainIndex::default(),
        }
    }

    /// Adds `provider`, replacing a provider of the same name. Its domains are lower-cased and
    /// IDN-mapped, and move to it from any other provider that listed them.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for an empty name or domain list, a domain that is not a
    /// valid domain with a dot, a `canonical_domain` that is not one of its domains, or a
    /// separator that is a dot or not printable ASCII.
    pub fn set_provider(&mut self, mut provider: EmailProvider) -> Result<()> {
        let bad = |msg: String| Error::new(ErrorKind::InvalidArgument, msg);
        if provider.name.trim().is_empty() {
            return Err(bad("the provider name is empty".into()));
        }
        if provider.domains.is_empty() {
            return Err(bad(format!(
                "provider {:?} lists no domains",
                provider.name
            )));
        }
        for (i, d) in provider.domains.iter_mut().enumerate() {
            *d = canonical_domain(d.trim())
                .map(Cow::into_owned)
                .map_err(|e| bad(format!("domains[{i}]: {}", e.message())))?;
        }
        if let Some(c) = &provider.canonical_domain {
            let c = canonical_domain(c.trim())
                .map(Cow::into_owned)
                .map_err(|e| bad(format!("canonical_domain: {}", e.message())))?;
            if !provider.domains.contains(&c) {
                return Err(bad(format!(
                    "canonical_domain {c:?} is not one of the provider's domains"
                )));
            }
            provider.canonical_domain = Some(c);
        }
        if let Some(sep) = provider.subaddress_separator {
            if sep == '.' || !sep.is_ascii_graphic() || sep == '@' || sep == '"' {
                return Err(bad(format!(
                    "subaddress_separator {sep:?} must be printable ASCII other than '.', '@', '\"'"
                )));
            }
        }
        self.providers.retain(|p| p.name != provider.name);
        for p in &mut self.providers {
            p.domains.retain(|d| !provider.domains.contains(d));
            if p.canonical_domain
                .as_ref()
                .is_some_and(|c| !p.domains.contains(c))
            {
                p.canonical_domain = None;
            }
        }
        self.providers.retain(|p| !p.domains.is_empty());
        self.providers.push(provider);
        self.reindex();
        Ok(())
    }

    /// Removes the provider called `name`; true if there was one.
    pub fn remove_provider(&mut self, name: &str) -> bool {
        let before = self.providers.len();
        self.providers.retain(|p| p.name != name);
        self.reindex();
        before != self.providers.len()
    }

    /// The providers in this table, in the order they were added.
    pub fn providers(&self) -> &[EmailProvider] {
        &self.providers
    }

    /// The provider serving `domain` (lower case, Unicode form), if any.
    pub fn provider_for(&self, domain: &str) -> Option<&EmailProvider> {
        self.by_domain
            .get(domain.as_bytes())
            .and_then(|i| self.providers.get(i))
    }

    /// Reads a table from JSON in the shape [`EmailRules::to_json`] writes.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidJson`] for malformed JSON or a wrong shape, naming the field path;
    /// [`ErrorKind::InvalidArgument`] for an inconsistent provider (see
    /// [`EmailRules::set_provider`]).
    pub fn from_json(text: &str) -> Result<Self> {
        let mut de = serde_json::Deserializer::from_str(text);
        let table: EmailRulesTable = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            Error::new(
                ErrorKind::InvalidJson,
                format!("{}: {}", e.path(), e.inner()),
            )
        })?;
        de.end()
            .map_err(|e| Error::new(ErrorKind::InvalidJson, e.to_string()))?;
        EmailRules::try_from(table)
    }

    /// Writes this table as JSON (see the type docs for the shape).
    pub fn to_json(&self) -> String {
        serde_json::to_string(&EmailRulesTable {
            providers: self.providers.clone(),
        })
        .expect("an email rules table always serialises")
    }

    fn reindex(&mut self) {
        self.by_domain = DomainIndex::build(
            self.providers
                .iter()
                .enumerate()
                .flat_map(|(i, p)| p.domains.iter().map(move |d| (d.as_str(), i))),
        );
    }

    /// Validates `text` and computes its canonical key under these rules.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidEmail`] with the reason (`"ivan.mail.ru" has no @`, `domain "mail" has
    /// no dot`, ...); [`ErrorKind::InputTooLarge`] above [`MAX_EMAIL_INPUT`] bytes.
    ///
    /// # Example
    /// ```
    /// let rules = omni_core::EmailRules::default();
    /// let e = rules.normalize("Иван <Ivan.Petrov+shop@GoogleMail.com>").unwrap();
    /// assert_eq!(e.original, "Ivan.Petrov+shop@GoogleMail.com");
    /// assert_eq!(e.canonical, "ivanpetrov@gmail.com");
    /// assert_eq!(e.provider.as_deref(), Some("gmail"));
    /// ```
    pub fn normalize(&self, text: &str) -> Result<Email> {
        let mut email = Email {
            original: String::new(),
            canonical: String::new(),
            provider: None,
        };
        self.normalize_into(text, &mut email)?;
        Ok(email)
    }

    /// As [`EmailRules::normalize`], writing into `out` and reusing its string buffers: the
    /// form for batches (one `Email` reused for every row saves most of the allocations). On an
    /// error `out` is left unspecified.
    ///
    /// # Errors
    /// As [`EmailRules::normalize`].
    ///
    /// # Example
    /// ```
    /// let rules = omni_core::EmailRules::default();
    /// let mut out = omni_core::Email::default();
    /// for text in ["A.B@gmail.com", "c+x@ya.ru"] {
    ///     rules.normalize_into(text, &mut out).unwrap();
    /// }
    /// assert_eq!(out.canonical, "c@yandex.ru");
    /// ```
    pub fn normalize_into(&self, text: &str, out: &mut Email) -> Result<()> {
        if text.len() > MAX_EMAIL_INPUT {
            return Err(Error::too_large("email input", text.len(), MAX_EMAIL_INPUT));
        }
        if self.fast_normalize_into(text, out) {
            return Ok(());
        }
        let address = strip_wrapping(text)?;
        if address.len() != text.len() && self.fast_normalize_into(&address, out) {
            // A display name, `mailto:` or trailing dots around a plain address.
            return Ok(());
        }
        self.full_normalize_into(&address, out)
    }

    /// The fast path for the common shape (see [`fast_scan`]); false, with `out` untouched, for
    /// anything else. It accepts only what [`EmailRules::full_normalize_into`] accepts and
    /// gives the same result (the property tests `fast_path_agrees_with_full_path*` hold it to
    /// that).
    fn fast_normalize_into(&self, address: &str, out: &mut Email) -> bool {
        let Some(scan) = fast_scan(address) else {
            return false;
        };
        let lowered: [u8; 254];
        let domain_key = if scan.domain_is_lower {
            scan.domain
        } else {
            lowered = lower_domain(scan.domain.as_bytes());
            // Lower-casing kept every character's length, so the key is UTF-8 (never fails).
            match lowered
                .get(..scan.domain.len())
                .and_then(|k| std::str::from_utf8(k).ok())
            {
                Some(k) => k,
                None => return false,
            }
        };
        let provider = self
            .by_domain
            .get(domain_key.as_bytes())
            .and_then(|i| self.providers.get(i));
        let canonical = &mut out.canonical;
        canonical.clear();
        match provider {
            Some(p) => {
                let domain = p.canonical_domain.as_deref().unwrap_or(domain_key);
                canonical.reserve(scan.local.len() + 1 + domain.len());
                let local = match p.subaddress_separator.and_then(|c| u8::try_from(c).ok()) {
                    // A tag is removed only when something is left before it (the separator
                    // is ASCII: `set_provider` checks it).
                    Some(sep) => match scan.local.bytes().position(|b| b == sep) {
                        Some(i) if i > 0 => scan.local.get(..i).unwrap_or(scan.local),
                        _ => scan.local,
                    },
                    None => scan.local,
                };
                // `local` starts with a letter, digit or symbol (never a dot), so the key's local
                // part is never empty.
                let joiner = match p.dots {
                    DotRule::Keep => None,
                    DotRule::Ignore => Some(""),
                    DotRule::SameAsHyphen => Some("-"),
                };
                match joiner {
                    None => canonical.push_str(local),
                    Some(joiner) => {
                        let mut start = 0;
                        for (i, b) in local.bytes().enumerate() {
                            if b == b'.' {
                                canonical.push_str(local.get(start..i).unwrap_or_default());
                                canonical.push_str(joiner);
                                start = i + 1;
                            }
                        }
                        canonical.push_str(local.get(start..).unwrap_or_default());
                    }
                }
                canonical.make_ascii_lowercase();
                canonical.push('@');
                canonical.push_str(domain);
            }
            None => {
                canonical.reserve(scan.local.len() + 1 + domain_key.len());
                canonical.push_str(scan.local);
                canonical.make_ascii_lowercase();
                canonical.push('@');
                canonical.push_str(domain_key);
            }
        }
        set_provider_name(&mut out.provider, provider);
        out.original.clear();
        out.original.push_str(address);
        true
    }

    /// The general path over a bare address (wrapping already removed): full validation with
    /// `email_address` and omni's checks, IDNA for internationalised domains, quoted local parts.
    fn full_normalize_into(&self, address: &str, out: &mut Email) -> Result<()> {
        let (local, domain) = split_address(address)?;
        validate(address, local, domain)?;
        let domain_key = canonical_domain(domain).map_err(|e| e.at(format_args!("{address:?}")))?;
        let quoted = local.starts_with('"');
        let provider = self.provider_for(&domain_key).filter(|_| !quoted);
        let canonical = &mut out.canonical;
        canonical.clear();
        canonical.reserve(address.len());
        match provider {
            Some(p) => {
                push_local_with_rules(canonical, p, local);
                canonical.push('@');
                canonical.push_str(p.canonical_domain.as_deref().unwrap_or(&domain_key));
            }
            None => {
                push_canonical_local(canonical, local);
                canonical.push('@');
                canonical.push_str(&domain_key);
            }
        }
        set_provider_name(&mut out.provider, provider);
        out.original.clear();
        out.original.push_str(address);
        Ok(())
    }
}

/// Sets `slot` to the provider's name, reusing its buffer.
fn set_provider_name(slot: &mut Option<String>, provider: Option<&EmailProvider>) {
    match (provider, slot) {
        (Some(p), Some(name)) => {
            name.clear();
            name.push_str(&p.name);
        }
        (Some(p), slot) => *slot = Some(p.name.clone()),
        (None, slot) => *slot = None,
    }
}

/// Validates an email address and computes its canonical key with the default provider rules.
///
/// Builds the default table on every call; keep an [`EmailRules`] to normalise many addresses.
///
/// # Errors
/// As [`EmailRules::normalize`].
///
/// # Example
/// ```
/// let e = omni_core::normalize_email("Ivan.Petrov+shop@GMAIL.com").unwrap();
/// assert_eq!(e.canonical, "ivanpetrov@gmail.com");
/// ```
pub fn normalize_email(text: &str) -> Result<Email> {
    default_rules().normalize(text)
}

/// The default table, built once.
pub(crate) fn default_rules() -> &'static EmailRules {
    static RULES: std::sync::LazyLock<EmailRules> = std::sync::LazyLock::new(EmailRules::default);
    &RULES
}

fn invalid(msg: String) -> Error {
    Error::new(ErrorKind::InvalidEmail, msg)
}

/// Removes whitespace, `mailto:`, a display name and trailing dots, leaving the bare address.
fn strip_wrapping(text: &str) -> Result<Cow<'_, str>> {
    let mut s = text.trim();
    if s.is_empty() {
        return Err(invalid("the email address is empty".into()));
    }
    if s.ends_with('>') {
        if let Some(open) = s.rfind('<') {
            s = s[open + 1..s.len() - 1].trim();
        }
    }
    let mut decoded = false;
    if s.len() >= 7 && s.as_bytes()[..7].eq_ignore_ascii_case(b"mailto:") {
        s = &s[7..];
        if let Some(q) = s.find('?') {
            s = &s[..q];
        }
        decoded = s.contains('%');
    }
    s = s.trim().trim_end_matches('.');
    if s.is_empty() {
        return Err(invalid(format!("{:?} has no address in it", text.trim())));
    }
    if decoded {
        Ok(Cow::Owned(percent_decode(s)))
    } else {
        Ok(Cow::Borrowed(s))
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Splits at the last `@` (a quoted local part may contain one).
fn split_address(address: &str) -> Result<(&str, &str)> {
    let Some((local, domain)) = address.rsplit_once('@') else {
        return Err(invalid(format!("{address:?} has no @")));
    };
    if local.is_empty() {
        return Err(invalid(format!("{address:?} has an empty local part")));
    }
    if domain.is_empty() {
        return Err(invalid(format!("{address:?} has an empty domain")));
    }
    Ok((local, domain))
}

/// The checks omni adds to `email_address`, then `email_address` itself, with the reason.
fn validate(address: &str, local: &str, domain: &str) -> Result<()> {
    if domain.starts_with('[') {
        return Err(invalid(format!(
            "{address:?}: domain literals like {domain:?} are not accepted"
        )));
    }
    if !domain.contains('.') {
        return Err(invalid(format!(
            "{address:?}: domain {domain:?} has no dot"
        )));
    }
    let tld = domain.rsplit('.').next().unwrap_or_default();
    if !tld.is_empty() && tld.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(format!(
            "{address:?}: domain {domain:?} ends in a number, not a top-level domain"
        )));
    }
    let options = email_address::Options::default()
        .without_display_text()
        .without_domain_literal();
    match email_address::EmailAddress::parse_with_options(address, options) {
        Ok(_) => Ok(()),
        Err(e) => Err(invalid(describe(address, local, domain, e))),
    }
}

fn describe(address: &str, local: &str, domain: &str, e: email_address::Error) -> String {
    use email_address::Error as E;
    let reason = match e {
        E::LocalPartEmpty => "has an empty local part".to_string(),
        E::LocalPartTooLong => format!("local part is {} bytes; the limit is 64", local.len()),
        E::DomainEmpty => "has an empty domain".to_string(),
        E::DomainTooLong => format!("domain is {} bytes; the limit is 254", domain.len()),
        E::SubDomainEmpty => {
            format!("domain {domain:?} has an empty label (two dots in a row or a dot at an end)")
        }
        E::SubDomainTooLong => format!("domain {domain:?} has a label over 63 bytes"),
        E::InvalidCharacter => match first_bad_char(local, domain) {
            Some((part, '.')) => {
                format!("{part} starts or ends with a dot, or has two dots in a row")
            }
            Some((part, '-')) => format!("{part} starts or ends with a hyphen"),
            Some((part, c)) => format!("{part} has a character not allowed there: {c:?}"),
            None => "has a character not allowed in an email address".to_string(),
        },
        other => other.to_string(),
    };
    format!("{address:?}: {reason}")
}

/// The first character that makes the local part or the domain invalid, for error messages.
fn first_bad_char(local: &str, domain: &str) -> Option<(String, char)> {
    if !local.starts_with('"') {
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return Some((format!("local part {local:?}"), '.'));
        }
        if let Some(c) = local.chars().find(|&c| !is_atext(c) && c != '.') {
            return Some((format!("local part {local:?}"), c));
        }
    }
    for label in domain.split('.') {
        if label.starts_with('-') || label.ends_with('-') {
            return Some((format!("domain label {label:?}"), '-'));
        }
        if let Some(c) = label.chars().find(|&c| !c.is_alphanumeric() && c != '-') {
            return Some((format!("domain {domain:?}"), c));
        }
    }
    None
}

fn is_atext(c: char) -> bool {
    c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c)
}

/// What [`fast_scan`] found in an address it accepted.
#[derive(Clone, Copy, Debug)]
struct FastScan<'a> {
    /// The local part as written.
    local: &'a str,
    /// The domain as written.
    domain: &'a str,
    /// The domain is ASCII without upper-case letters: it is its own matching key.
    domain_is_lower: bool,
}
/// ASCII `atext` (RFC 5322: letters, digits and ``!#$%&'*+-/=?^_`{|}~``) or `.`.
const LOCAL: u8 = 1;
/// `.`.
const DOT: u8 = 2;
/// `[A-Za-z0-9.-]`: ASCII letter-digit-hyphen or `.`.
const HOST: u8 = 4;
/// `[0-9]`.
const DIGIT: u8 = 8;
/// `[A-Z]`.
const UPPER: u8 = 16;

/// Byte classes for [`fast_scan`].
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        let alnum = c.is_ascii_alphanumeric();
        if alnum
            || matches!(
                c,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'/'
                    | b'='
                    | b'?'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'{'
                    | b'|'
                    | b'}'
                    | b'~'
                    | b'.'
            )
        {
            t[b] |= LOCAL;
        }
        if c == b'.' {
            t[b] |= DOT;
        }
        if alnum || c == b'-' || c == b'.' {
            t[b] |= HOST;
        }
        if c.is_ascii_digit() {
            t[b] |= DIGIT;
        }
        if c.is_ascii_uppercase() {
            t[b] |= UPPER;
        }
        b += 1;
    }
    t
};

/// One pass over the common shape of an address, so that most addresses skip the full
/// validation: an unquoted dot-atom local part of ASCII `atext` of 1-64 bytes, `@`, and a
/// domain of at least two labels of ASCII letters, digits, hyphens and basic Russian letters
/// (`а-я`, `ё`, either case), each 1-63 bytes, starting and ending with a letter or digit,
/// without `--` at the third and fourth byte (which rules out `xn--` and every other IDNA
/// hyphen form), the last not all digits, at most 254 bytes in all.
///
/// Everything it accepts is left unchanged by `strip_wrapping` (no spaces, `<>`, `:`, no
/// trailing dot), accepted by [`validate`], and keyed by [`canonical_domain`] exactly as
/// [`lower_domain`] keys it; everything else goes the full way.
fn fast_scan(address: &str) -> Option<FastScan<'_>> {
    let bytes = address.as_bytes();
    // `@` is not in the local part's class, so an accepted address has exactly one.
    let at = bytes.iter().position(|&b| b == b'@')?;
    let (local, domain) = (bytes.get(..at)?, bytes.get(at + 1..)?);
    if local.is_empty() || local.len() > 64 || domain.len() > 254 {
        return None;
    }
    // The local part, branch-free: every byte in the class, no dot first, last or twice in a
    // row.
    let mut all = LOCAL;
    let mut prev_dot = DOT;
    let mut two_dots = 0;
    for &b in local {
        let class = CLASS[usize::from(b)];
        all &= class;
        two_dots |= prev_dot & class;
        prev_dot = class & DOT;
    }
    if all & LOCAL == 0 || two_dots & DOT != 0 || prev_dot != 0 {
        return None;
    }
    // The domain: all ASCII letter-digit-hyphen-dot (the common case, checked branch-free), or
    // with basic Russian letters (byte by byte).
    let mut all = HOST;
    let mut any = 0;
    for &b in domain {
        let class = CLASS[usize::from(b)];
        all &= class;
        any |= class;
    }
    let lower = all & HOST != 0 && any & UPPER == 0;
    if all & HOST == 0 && !cyrillic_ldh(domain) {
        return None;
    }
    let mut labels = 0usize;
    let mut last: &[u8] = &[];
    for label in domain.split(|&b| b == b'.') {
        let n = label.len();
        if n == 0
            || n > 63
            || label[0] == b'-'
            || label[n - 1] == b'-'
            || (n >= 4 && label[2] == b'-' && label[3] == b'-')
        {
            return None;
        }
        labels += 1;
        last = label;
    }
    if labels < 2 || last.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(FastScan {
        local: address.get(..at)?,
        domain: address.get(at + 1..)?,
        domain_is_lower: lower,
    })
}

/// Whether `domain` is only ASCII letters, digits, `-`, `.` and basic Russian letters (`а-я`,
/// `ё`, either case).
fn cyrillic_ldh(domain: &[u8]) -> bool {
    let mut i = 0;
    while let Some(&b) = domain.get(i) {
        if CLASS[usize::from(b)] & HOST != 0 {
            i += 1;
            continue;
        }
        match (b, domain.get(i + 1).copied().unwrap_or(0)) {
            (0xD0, 0x81 | 0x90..=0xBF) | (0xD1, 0x80..=0x8F | 0x91) => i += 2,
            _ => return false,
        }
    }
    true
}

/// Lower-cases a domain [`fast_scan`] accepted (ASCII and basic Russian letters, at most 254
/// bytes): what UTS #46 mapping does to these characters. Every character keeps its length;
/// the key is the first `domain.len()` bytes.
fn lower_domain(domain: &[u8]) -> [u8; 254] {
    let mut out = [0u8; 254];
    let mut i = 0;
    while i < domain.len() && i < out.len() {
        let b = domain[i];
        if b < 0x80 {
            out[i] = b.to_ascii_lowercase();
            i += 1;
            continue;
        }
        let next = domain.get(i + 1).copied().unwrap_or(0);
        let (lead, tail) = match (b, next) {
            (0xD0, 0x90..=0x9F) => (0xD0, next + 0x20), // А-П -> а-п
            (0xD0, 0xA0..=0xAF) => (0xD1, next - 0x20), // Р-Я -> р-я
            (0xD0, 0x81) => (0xD1, 0x91),               // Ё -> ё
            _ => (b, next),                             // а-я, ё
        };
        out[i] = lead;
        if let Some(o) = out.get_mut(i + 1) {
            *o = tail;
        }
        i += 2;
    }
    out
}

/// The domain's matching form: ASCII lower case, or the UTS #46 Unicode form for an IDN.
fn canonical_domain(domain: &str) -> Result<Cow<'_, str>> {
    let is_plain_ascii = domain.is_ascii()
        && !domain
            .split('.')
            .any(|l| l.len() >= 4 && l[..4].eq_ignore_ascii_case("xn--"));
    let key = if is_plain_ascii {
        if domain.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(domain.to_ascii_lowercase())
        } else {
            Cow::Borrowed(domain)
        }
    } else {
        if let Some(key) = cyrillic_domain_key(domain) {
            return Ok(Cow::Owned(key));
        }
        let (unicode, result) = idna::domain_to_unicode(domain);
        if result.is_err() || unicode.is_empty() {
            return Err(invalid(format!(
                "domain {domain:?} is not a valid internationalised domain name"
            )));
        }
        Cow::Owned(unicode)
    };
    if !key.contains('.') || key.starts_with('.') || key.ends_with('.') || key.contains("..") {
        return Err(invalid(format!(
            "domain {domain:?} is not a domain with a dot"
        )));
    }
    Ok(key)
}

/// The UTS #46 form of a domain made only of LDH labels over ASCII and the basic Russian
/// alphabet (`почта.рф`, `Пример-1.рф`), without running the full IDNA machinery: for these
/// characters the mapping is lower-casing and the labels need no further checks. `None` for
/// anything else (the property test `cyrillic_fast_path_agrees_with_idna` holds it to that).
fn cyrillic_domain_key(domain: &str) -> Option<String> {
    let is_letter = |c: char| matches!(c, 'а'..='я' | 'ё' | 'А'..='Я' | 'Ё');
    let mut out = String::with_capacity(domain.len());
    for label in domain.split('.') {
        let first = label.chars().next()?;
        let last = label.chars().next_back()?;
        if first == '-' || last == '-' || label.len() > 63 || label.get(2..4) == Some("--") {
            return None;
        }
        if !out.is_empty() {
            out.push('.');
        }
        for c in label.chars() {
            if !(is_letter(c) || c.is_ascii_alphanumeric() || c == '-') {
                return None;
            }
            out.extend(c.to_lowercase());
        }
    }
    Some(out)
}

/// Appends the local part lower-cased, unquoted when the quotes are not needed.
fn push_canonical_local(out: &mut String, local: &str) {
    if local.len() >= 2 && local.starts_with('"') && local.ends_with('"') {
        let inner = &local[1..local.len() - 1];
        let mut unescaped = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            unescaped.push(if c == '\\' {
                chars.next().unwrap_or(c)
            } else {
                c
            });
        }
        let unescaped = unescaped.to_lowercase();
        let is_dot_atom = !unescaped.is_empty()
            && unescaped
                .split('.')
                .all(|a| !a.is_empty() && a.chars().all(is_atext));
        if is_dot_atom {
            out.push_str(&unescaped);
            return;
        }
        out.push('"');
        for c in unescaped.chars() {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
    } else if local.is_ascii() {
        let start = out.len();
        out.push_str(local);
        out[start..].make_ascii_lowercase();
    } else {
        out.extend(local.chars().flat_map(char::to_lowercase));
    }
}

/// Appends an unquoted local part lower-cased with a provider's tag and dot rules applied.
fn push_local_with_rules(out: &mut String, p: &EmailProvider, local: &str) {
    let base = match p.subaddress_separator.and_then(|sep| local.find(sep)) {
        Some(i) if i > 0 => &local[..i],
        _ => local,
    };
    let start = out.len();
    if base.is_ascii() {
        // Copy whole pieces and lower-case them in place: much cheaper than char by char.
        let mut first = true;
        for piece in base.split('.') {
            match p.dots {
                DotRule::Keep if !first => out.push('.'),
                DotRule::SameAsHyphen if !first => out.push('-'),
                _ => {}
            }
            out.push_str(piece);
            first = false;
        }
        out[start..].make_ascii_lowercase();
    } else {
        for c in base.chars() {
            match (c, p.dots) {
                ('.', DotRule::Ignore) => {}
                ('.', DotRule::SameAsHyphen) => out.push('-'),
                (c, _) => out.extend(c.to_lowercase()),
            }
        }
    }
    if out.len() == start {
        // Only dots: keep them rather than leave an empty key.
        push_canonical_local(out, base);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(s: &str) -> String {
        normalize_email(s).unwrap().canonical
    }

    fn reason(s: &str) -> String {
        let e = normalize_email(s).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidEmail, "{s:?}: {e}");
        e.to_string()
    }

    #[test]
    fn gmail_ignores_dots_and_plus_tags_and_googlemail_is_gmail() {
        assert_eq!(key("Ivan.Petrov+shop@GMAIL.com"), "ivanpetrov@gmail.com");
        assert_eq!(key("i.v.a.n.petrov@googlemail.com"), "ivanpetrov@gmail.com");
    }

    #[test]
    fn google_workspace_domains_keep_dots() {
        assert_eq!(
            key("Ivan.Petrov+x@example.com"),
            "ivan.petrov+x@example.com"
        );
    }

    #[test]
    fn yandex_family_is_one_mailbox_and_dot_is_hyphen() {
        for d in [
            "yandex.ru",
            "yandex.com",
            "yandex.by",
            "yandex.kz",
            "yandex.ua",
            "ya.ru",
        ] {
            assert_eq!(
                key(&format!("Ivan.Petrov+shop@{d}")),
                "ivan-petrov@yandex.ru"
            );
        }
    }

    #[test]
    fn mail_ru_family_are_separate_mailboxes() {
        assert_eq!(key("ivan.petrov@bk.ru"), "ivan.petrov@bk.ru");
        assert_ne!(key("ivan@list.ru"), key("ivan@mail.ru"));
        assert_eq!(
            normalize_email("ivan@inbox.ru")
                .unwrap()
                .provider
                .as_deref(),
            Some("mail_ru")
        );
    }

    #[test]
    fn outlook_icloud_plus_and_yahoo_hyphen_tags() {
        assert_eq!(
            key("John.Smith+news@Hotmail.co.uk"),
            "john.smith@hotmail.co.uk"
        );
        assert_eq!(key("john+x@me.com"), "john@icloud.com");
        assert_eq!(key("john-shop@yahoo.com"), "john@yahoo.com");
        assert_eq!(key("john+shop@yahoo.com"), "john+shop@yahoo.com");
    }

    #[test]
    fn a_tag_with_nothing_before_it_is_kept() {
        assert_eq!(key("+shop@gmail.com"), "+shop@gmail.com");
    }

    #[test]
    fn display_forms_mailto_and_trailing_dots_are_removed() {
        let e = normalize_email("  Иван Петров <Ivan@Example.com>  ").unwrap();
        assert_eq!(e.original, "Ivan@Example.com");
        assert_eq!(e.canonical, "ivan@example.com");
        assert_eq!(
            key("\"Petrov, Ivan\" <ivan@example.com>"),
            "ivan@example.com"
        );
        assert_eq!(
            key("MAILTO:ivan%40example.com?subject=Hi"),
            "ivan@example.com"
        );
        assert_eq!(key("ivan@mail.ru."), "ivan@mail.ru");
    }

    #[test]
    fn idn_domains_key_in_unicode_either_way() {
        assert_eq!(key("Иван@Почта.РФ"), "иван@почта.рф");
        assert_eq!(key("ivan@xn--80a1acny.xn--p1ai"), "ivan@почта.рф");
    }

    #[test]
    fn quoted_local_parts_are_unquoted_when_possible() {
        assert_eq!(key("\"Ivan\"@example.com"), "ivan@example.com");
        assert_eq!(
            key("\"ivan petrov\"@example.com"),
            "\"ivan petrov\"@example.com"
        );
    }

    #[test]
    fn reasons_name_what_is_wrong() {
        assert!(reason("ivan.mail.ru").contains("has no @"));
        assert!(reason("@mail.ru").contains("empty local part"));
        assert!(reason("ivan@").contains("empty domain"));
        assert!(reason("ivan@mail").contains("domain \"mail\" has no dot"));
        assert!(reason("ivan..petrov@mail.ru").contains("two dots in a row"));
        assert!(reason("ivan@-mail.ru").contains("starts or ends with a hyphen"));
        assert!(reason("iv an@mail.ru").contains("' '"));
        assert!(reason("ivan@[10.0.0.1]").contains("domain literals"));
        assert!(reason("ivan@10.0.0.1").contains("ends in a number"));
        assert!(reason("   ").contains("empty"));
        let long = format!("{}@mail.ru", "a".repeat(65));
        assert!(reason(&long).contains("local part is 65 bytes"));
    }

    #[test]
    fn every_listed_domain_finds_its_provider() {
        for rules in [EmailRules::default(), odd_rules()] {
            for p in rules.providers() {
                for d in &p.domains {
                    assert_eq!(rules.provider_for(d).map(|p| &p.name), Some(&p.name), "{d}");
                }
            }
            for d in [
                "gmail.co",
                "mail.r",
                "ail.ru",
                "",
                "x",
                "yandex.ru.",
                "gmail.comx",
            ] {
                assert!(rules.provider_for(d).is_none(), "{d}");
            }
        }
    }

    #[test]
    fn the_fast_path_takes_the_common_shapes() {
        let rules = default_rules();
        let mut out = Email::default();
        for text in [
            "ivan.petrov@gmail.com",
            "Ivan.Petrov+shop@GMAIL.com",
            "olga-ivanova@ya.ru",
            "buh@почта.рф",
            "o'brien!x@Пример-1.РФ",
        ] {
            assert!(rules.fast_normalize_into(text, &mut out), "{text}");
        }
        for text in [
            "Иван <ivan.k@gmail.com>",
            "ivan@mail",
            "\"ivan\"@example.com",
            "ivan@xn--80a1acny.xn--p1ai",
            "ivan@10.0.0.1",
            "Иван@почта.рф",
        ] {
            assert!(!rules.fast_normalize_into(text, &mut out), "{text}");
        }
    }

    #[test]
    fn too_large_input_is_rejected() {
        let e = normalize_email(&"a".repeat(MAX_EMAIL_INPUT + 1)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InputTooLarge);
    }

    #[test]
    fn rules_round_trip_through_json_and_can_be_replaced() {
        let rules = EmailRules::default();
        let back = EmailRules::from_json(&rules.to_json()).unwrap();
        assert_eq!(back, rules);
        let via_serde: EmailRules =
            serde_json::from_str(&serde_json::to_string(&rules).unwrap()).unwrap();
        assert_eq!(via_serde, rules);
        let mut rules = EmailRules::empty();
        assert_eq!(
            rules.normalize("a.b+c@gmail.com").unwrap().canonical,
            "a.b+c@gmail.com"
        );
        let mut g = EmailProvider::new("gmail", &["Gmail.com"]);
        g.dots = DotRule::Ignore;
        rules.set_provider(g).unwrap();
        assert_eq!(
            rules.normalize("a.b+c@gmail.com").unwrap().canonical,
            "ab+c@gmail.com"
        );
        assert!(rules.remove_provider("gmail"));
        assert!(rules.provider_for("gmail.com").is_none());
    }

    #[test]
    fn a_domain_moves_to_the_provider_that_claims_it_last() {
        let mut rules = EmailRules::default();
        rules
            .set_provider(EmailProvider::new("mine", &["ya.ru"]))
            .unwrap();
        assert_eq!(rules.provider_for("ya.ru").unwrap().name, "mine");
        assert_eq!(rules.provider_for("yandex.ru").unwrap().name, "yandex");
        assert_eq!(rules.normalize("a.b@ya.ru").unwrap().canonical, "a.b@ya.ru");
    }

    #[test]
    fn bad_tables_are_rejected_with_the_path() {
        let e = EmailRules::from_json(r#"{"providers":[{"name":"x","domains":["localhost"]}]}"#)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(e.to_string().starts_with("providers[0]: domains[0]"), "{e}");
        let e = EmailRules::from_json(r#"{"providers":[{"name":"x","domain":[]}]}"#).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidJson);
        let e = EmailRules::from_json(
            r#"{"providers":[{"name":"x","domains":["a.example"],"canonical_domain":"b.example"}]}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("not one of"), "{e}");
    }

    /// The full path alone, from raw text: what `normalize_into` did before the fast path.
    fn full_reference(rules: &EmailRules, text: &str) -> Result<Email> {
        if text.len() > MAX_EMAIL_INPUT {
            return Err(Error::too_large("email input", text.len(), MAX_EMAIL_INPUT));
        }
        let mut out = Email::default();
        rules.full_normalize_into(&strip_wrapping(text)?, &mut out)?;
        Ok(out)
    }

    /// The fast path accepts only what the full path accepts, with the same result, and the
    /// combined `normalize` agrees with the full path on every input (same `Ok`/`Err`, same
    /// key, same error).
    fn check_fast_path(rules: &EmailRules, text: &str) -> std::result::Result<(), TestCaseError> {
        let full = full_reference(rules, text);
        let mut fast = Email::default();
        if rules.fast_normalize_into(text, &mut fast) {
            prop_assert_eq!(full.as_ref().ok(), Some(&fast), "{:?}", text);
        }
        let both = rules.normalize(text);
        prop_assert_eq!(&both, &full, "{:?}", text);
        Ok(())
    }

    /// A table exercising other separators, dot rules and an IDN provider domain.
    fn odd_rules() -> EmailRules {
        let mut rules = EmailRules::default();
        let mut bang = EmailProvider::new("bang", &["bang.example", "Почта.рф", "a-b.example"]);
        bang.subaddress_separator = Some('!');
        bang.dots = DotRule::SameAsHyphen;
        bang.canonical_domain = Some("почта.рф".into());
        rules.set_provider(bang).unwrap();
        let mut under = EmailProvider::new("under", &["x.io", "пример.рф"]);
        under.subaddress_separator = Some('_');
        under.dots = DotRule::Ignore;
        rules.set_provider(under).unwrap();
        rules
    }

    /// Characters for local parts and labels, biased towards what makes the fast path decide.
    fn piece(alphabet: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
        proptest::collection::vec(proptest::sample::select(alphabet), 0..=max)
            .prop_map(|v| v.concat())
    }

    const LOCAL_CHARS: &[&str] = &[
        "a", "b", "z", "A", "Q", "Z", "0", "7", "9", ".", ".", "+", "-", "_", "!", "%", "~", "'",
        "\"", "@", " ", "\\", "(", ")", ",", ":", "<", ">", "Я", "ё", "é", "\u{0}", "\t",
    ];
    const LABEL_CHARS: &[&str] = &[
        "a", "m", "z", "G", "X", "0", "5", "9", "-", "-", "а", "я", "ё", "Ё", "Я", "П", "Р", "ß",
        "é", "_", " ", "Ⅻ", "٣", "\u{301}", "!",
    ];

    fn local_like() -> impl Strategy<Value = String> {
        prop_oneof![
            6 => piece(LOCAL_CHARS, 12),
            1 => piece(&["a", "B", ".", "+", "-"], 70),
            1 => (63usize..=66).prop_map(|n| "a".repeat(n)),
            1 => piece(LOCAL_CHARS, 10).prop_map(|s| format!("\"{s}\"")),
            1 => Just("ivan.petrov+shop".to_string()),
            1 => Just(".".to_string()),
        ]
    }

    fn label_like() -> impl Strategy<Value = String> {
        prop_oneof![
            5 => piece(LABEL_CHARS, 8),
            5 => "[a-zA-Z0-9а-яА-ЯёЁ-]{1,10}",
            1 => (62usize..=65).prop_map(|n| "b".repeat(n)),
            1 => (31usize..=33).prop_map(|n| "д".repeat(n)),
            1 => proptest::sample::select(&["xn--p1ai", "XN--80a1acny", "ab--cd", "123", "рф"][..])
                .prop_map(str::to_string),
        ]
    }

    fn domain_like() -> impl Strategy<Value = String> {
        prop_oneof![
            6 => proptest::collection::vec(label_like(), 1..5).prop_map(|v| v.join(".")),
            3 => proptest::sample::select(&[
                "gmail.com", "GMAIL.com", "googlemail.com", "Ya.Ru", "yandex.ru", "mail.ru",
                "hotmail.co.uk", "me.com", "yahoo.com", "bang.example", "a-b.example", "x.io",
                "почта.рф", "Почта.РФ", "пример.рф", "xn--80a1acny.xn--p1ai", "10.0.0.1",
                "[10.0.0.1]", "mail", "example.com.", "a..b.com", "-a.com", "a-.com",
            ][..]).prop_map(str::to_string),
            1 => (59usize..=63).prop_map(|k| {
                // Around the 254-byte limit: 3 labels of 63 and one of 59-63 (252-256 bytes).
                let mut d = vec!["c".repeat(63); 3].join(".");
                d.push('.');
                d.push_str(&"e".repeat(k));
                d
            }),
        ]
    }

    fn email_like() -> impl Strategy<Value = String> {
        let bare = || (local_like(), domain_like()).prop_map(|(l, d)| format!("{l}@{d}"));
        prop_oneof![
            6 => bare(),
            1 => bare().prop_map(|a| format!("Иван Петров <{a}>")),
            1 => bare().prop_map(|a| format!("mailto:{}?subject=x", a.replace('@', "%40"))),
            1 => bare().prop_map(|a| format!("  {a}.. ")),
            1 => piece(LOCAL_CHARS, 30),
        ]
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,80}") {
            let _ = normalize_email(&s);
        }

        #[test]
        fn never_panics_on_email_shaped_input(s in "[\"<>a-zA-Z0-9.+%_@()\\[\\]\\\\ -]{0,20}@[a-zA-Zа-я0-9.-]{0,20}") {
            let _ = normalize_email(&s);
        }

        #[test]
        fn domain_index_matches_a_linear_search(
            domains in proptest::collection::vec("[a-e]{1,3}\\.(ru|com)|[a-z]{6,12}\\.[a-z]{2,9}", 1..40),
            probes in proptest::collection::vec("[a-e]{1,3}\\.(ru|com)|[a-z]{6,12}\\.[a-z]{2,9}", 1..40),
        ) {
            let mut rules = EmailRules::empty();
            for (i, chunk) in domains.chunks(3).enumerate() {
                let chunk: Vec<&str> = chunk.iter().map(String::as_str).collect();
                rules.set_provider(EmailProvider::new(format!("p{i}"), &chunk)).unwrap();
            }
            for d in domains.iter().chain(&probes) {
                let linear = rules.providers().iter().find(|p| p.domains.contains(d));
                prop_assert_eq!(rules.provider_for(d), linear, "{}", d);
            }
        }

        #[test]
        fn fast_path_agrees_with_full_path(text in email_like()) {
            for rules in [default_rules().clone(), odd_rules()] {
                check_fast_path(&rules, &text)?;
            }
        }

        #[test]
        fn fast_path_agrees_with_full_path_on_bare_addresses(
            local in local_like(),
            domain in domain_like(),
        ) {
            let text = format!("{local}@{domain}");
            for rules in [default_rules().clone(), odd_rules()] {
                check_fast_path(&rules, &text)?;
            }
        }

        #[test]
        fn normalize_into_a_reused_email_equals_normalize(
            texts in proptest::collection::vec("[a-zA-Z.+_-]{1,12}@(gmail\\.com|ya\\.ru|example\\.org|пример\\.рф)|[ -~]{0,20}", 1..6),
        ) {
            let rules = default_rules();
            let mut out = Email::default();
            for t in &texts {
                match (rules.normalize(t), rules.normalize_into(t, &mut out)) {
                    (Ok(e), Ok(())) => prop_assert_eq!(&e, &out),
                    (Err(a), Err(b)) => prop_assert_eq!(a, b),
                    (a, b) => prop_assert!(false, "{:?} vs {:?}", a, b),
                }
            }
        }

        #[test]
        fn cyrillic_fast_path_agrees_with_idna(domain in "[а-яА-ЯёЁa-z0-9-]{1,12}(\\.[а-яА-ЯёЁa-z0-9-]{1,12}){0,2}\\.(рф|РФ|ru|москва)") {
            if let Some(fast) = cyrillic_domain_key(&domain) {
                let (full, result) = idna::domain_to_unicode(&domain);
                prop_assert!(result.is_ok(), "{}", domain);
                prop_assert_eq!(fast, full);
            }
        }

        #[test]
        fn canonical_key_is_stable(s in "[a-zA-Z0-9._+\\-]{1,20}@(gmail\\.com|ya\\.ru|mail\\.ru|example\\.org)") {
            if let Ok(e) = normalize_email(&s) {
                prop_assert_eq!(normalize_email(&e.canonical).unwrap().canonical, e.canonical);
            }
        }
    }
}
