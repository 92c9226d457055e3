//! Messenger and social handles: Telegram, WhatsApp, Viber, VK, Instagram, Facebook, Skype.
//!
//! People paste handles in every shape: `@Ivan_Petrov`, `https://t.me/ivan_petrov?start=1`,
//! `vk.com/id123`, `https://www.instagram.com/anna.s/`, `wa.me/79123456789`. This module turns
//! them into typed [`Identifier`]s in canonical form, checked against each network's rules:
//!
//! | network   | accepted                                                              | canonical value |
//! |-----------|-----------------------------------------------------------------------|-----------------|
//! | Telegram  | `@name`, `t.me/name`, `telegram.me/name`, `tg://resolve?domain=name`; numeric user ids, `tg://user?id=1` | username: 5-32 of `[a-z0-9_]`, starts with a letter, no `__`, no trailing `_`; lower case. Id: digits |
//! | WhatsApp  | a `wa_id` (`79123456789`), `+7 912 ...`, `wa.me/79123456789`, `api.whatsapp.com/send?phone=` | `whatsapp` = E.164 digits without `+`, plus a `phone` identifier |
//! | Viber     | opaque ids (`01AbC+dEf/g=`), `viber://chat?number=+7...` (a phone)    | id: case kept   |
//! | VK        | `123`, `id123`, `vk.com/id123`, `vk.ru/...`, `m.vk.com/...`, `vk.me/name`, screen names | id: digits; screen name: 2-32 of `[a-z0-9_.]` with a letter, lower case |
//! | Instagram | `@name`, `instagram.com/name`, `instagr.am/name`, `instagram.com/_u/name` | 1-30 of `[a-z0-9._]`, no dot at an end, no `..`; lower case |
//! | Facebook  | `facebook.com/name`, `fb.com/name`, `m.facebook.com/name`, `profile.php?id=123`, `people/Name/123` | username: 5-50 of `[a-z0-9.]`, lower case without dots (Facebook ignores them); id: digits |
//! | Skype     | `ivan.petrov`, `live:ivan_1`, `live:.cid.0123abcd`, `skype:name?call`  | 6-32 of `[a-z0-9.,_-]` starting with a letter, or `live:` + id; lower case |
//!
//! Links lose their scheme, `www.`/`m.`, query string (except the parameters that carry the
//! id), fragment and trailing slash. Links that are not a person are rejected with the reason:
//! VK communities (`club123`, `public123`) and service pages (`vk.com/feed`), Instagram posts
//! (`p/`, `reel/`, `explore`), Telegram invite links (`t.me/+AbCd`, `t.me/joinchat/...`),
//! WhatsApp group invites, Facebook groups and pages of the site itself.

use crate::error::{Error, ErrorKind, Result};
use crate::ident::email::default_rules;
use crate::ident::phone::PhoneNormalizer;
use crate::message::{Identifier, IdentifierKind};

/// The longest handle or link input accepted, in bytes.
pub const MAX_HANDLE_INPUT: usize = 2048;

/// Normalises a handle of a known kind into its canonical identifiers.
///
/// The kind says which network the text belongs to; the result may be the more precise kind of
/// the same network (`id123` given as [`IdentifierKind::VkScreenName`] is a
/// [`IdentifierKind::VkId`]). A WhatsApp number yields two identifiers: `whatsapp` and `phone`;
/// a Telegram or Viber link by phone number (`t.me/+79123456789`) yields the `phone`.
/// [`IdentifierKind::Phone`] and [`IdentifierKind::Email`] are normalised as phones (default
/// region `RU`) and emails; push, visitor and other opaque ids are trimmed and kept as given.
///
/// # Errors
/// [`ErrorKind::InvalidHandle`] with the reason when the text is not a valid handle of that
/// network (or is a link to another network); [`ErrorKind::InvalidPhone`] /
/// [`ErrorKind::InvalidEmail`] for those kinds; [`ErrorKind::InputTooLarge`] above
/// [`MAX_HANDLE_INPUT`] bytes.
///
/// # Example
/// ```
/// use omni_core::{normalize_handle, IdentifierKind};
///
/// let ids = normalize_handle(IdentifierKind::TelegramUsername, "https://t.me/Ivan_Petrov").unwrap();
/// assert_eq!(ids[0].value, "ivan_petrov");
/// let ids = normalize_handle(IdentifierKind::Whatsapp, "wa.me/79123456789").unwrap();
/// assert_eq!(ids[1].value, "+79123456789");
/// ```
pub fn normalize_handle(kind: IdentifierKind, text: &str) -> Result<Vec<Identifier>> {
    normalize_handle_with(kind, text, &PhoneNormalizer::default())
}

/// [`normalize_handle`] reading national phone numbers (WhatsApp, Viber, phones) with `phones`.
///
/// # Errors
/// As [`normalize_handle`].
pub fn normalize_handle_with(
    kind: IdentifierKind,
    text: &str,
    phones: &PhoneNormalizer,
) -> Result<Vec<Identifier>> {
    use IdentifierKind as K;
    check_size(text)?;
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(invalid(format!(
            "the {} handle is empty",
            network_name(kind)
        )));
    }
    match kind {
        K::Phone => {
            let p = phones.normalize(trimmed)?;
            return Ok(vec![Identifier::new(K::Phone, p.e164)]);
        }
        K::Email => {
            let e = default_rules().normalize(trimmed)?;
            return Ok(vec![Identifier::new(K::Email, e.canonical)]);
        }
        K::Whatsapp => return whatsapp_number(trimmed, phones),
        _ => {}
    }
    if let Some(link) = Link::parse(trimmed) {
        if let Some(network) = link.network() {
            let found = link.identify(network, phones)?;
            if found.iter().any(|id| same_network(id.kind, kind))
                || (matches!(kind, K::ViberId | K::TelegramId | K::TelegramUsername)
                    && found.iter().any(|i| i.kind == K::Phone))
            {
                return Ok(found);
            }
            return Err(invalid(format!(
                "{trimmed:?} is a {} link, not a {} handle",
                network.name(),
                network_name(kind)
            )));
        }
    }
    let bare = trimmed.strip_prefix('@').unwrap_or(trimmed);
    let one = |k, v| Ok(vec![Identifier::new(k, v)]);
    match kind {
        K::TelegramUsername | K::TelegramId => {
            if is_digits(bare) {
                one(K::TelegramId, telegram_id(bare)?)
            } else if let Some(id) = bare.strip_prefix('-').filter(|s| is_digits(s)) {
                Err(invalid(format!(
                    "Telegram id -{id} is a group or channel, not a person"
                )))
            } else {
                one(K::TelegramUsername, telegram_username(bare)?)
            }
        }
        K::ViberId => one(K::ViberId, viber_id(bare)?),
        K::VkId | K::VkScreenName => Ok(vec![vk_path(bare, trimmed)?]),
        K::Instagram => one(K::Instagram, instagram_username(bare)?),
        K::InstagramId => {
            if is_digits(bare) && bare.len() <= 20 {
                one(K::InstagramId, bare.to_string())
            } else {
                Err(invalid(format!(
                    "{trimmed:?} is not a numeric Instagram id"
                )))
            }
        }
        K::Facebook => one(K::Facebook, facebook_name(bare)?),
        K::Skype => one(K::Skype, skype_name(bare)?),
        _ => one(kind, trimmed.to_string()),
    }
}

/// Recognises a profile link or prefixed handle (`t.me/name`, `vk.com/id1`, `@name`,
/// `wa.me/79123456789`, `skype:name?call`) and returns its identifier.
///
/// A bare `@name` is read as a Telegram username. A WhatsApp link gives the `whatsapp`
/// identifier (use [`normalize_handle`] for its phone too); a Viber `chat?number=` link gives
/// the phone.
///
/// # Errors
/// [`ErrorKind::InvalidHandle`] when the text is not a recognised link or handle, or links to
/// something that is not a person (a group, a post, a service page), with the reason;
/// [`ErrorKind::InputTooLarge`] above [`MAX_HANDLE_INPUT`] bytes.
///
/// # Example
/// ```
/// use omni_core::{parse_profile_link, IdentifierKind};
///
/// let id = parse_profile_link("https://vk.com/id12345?w=wall").unwrap();
/// assert_eq!((id.kind, id.value.as_str()), (IdentifierKind::VkId, "12345"));
/// assert!(parse_profile_link("https://vk.com/club123").is_err());
/// ```
pub fn parse_profile_link(text: &str) -> Result<Identifier> {
    check_size(text)?;
    let trimmed = text.trim();
    if let Some(name) = trimmed.strip_prefix('@') {
        return Ok(Identifier::new(
            IdentifierKind::TelegramUsername,
            telegram_username(name)?,
        ));
    }
    let link = Link::parse(trimmed)
        .ok_or_else(|| invalid(format!("{trimmed:?} is not a recognised profile link")))?;
    let network = link
        .network()
        .ok_or_else(|| invalid(format!("{trimmed:?} is not a link to a known network")))?;
    let mut ids = link.identify(network, &PhoneNormalizer::default())?;
    Ok(ids.swap_remove(0))
}

/// The networks this module reads links of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Network {
    Telegram,
    Whatsapp,
    Viber,
    Vk,
    Instagram,
    Facebook,
    Skype,
}

impl Network {
    fn name(self) -> &'static str {
        match self {
            Network::Telegram => "Telegram",
            Network::Whatsapp => "WhatsApp",
            Network::Viber => "Viber",
            Network::Vk => "VK",
            Network::Instagram => "Instagram",
            Network::Facebook => "Facebook",
            Network::Skype => "Skype",
        }
    }
}

fn network_name(kind: IdentifierKind) -> &'static str {
    use IdentifierKind as K;
    match kind {
        K::TelegramId | K::TelegramUsername => "Telegram",
        K::Whatsapp => "WhatsApp",
        K::ViberId => "Viber",
        K::VkId | K::VkScreenName => "VK",
        K::Instagram | K::InstagramId => "Instagram",
        K::Facebook => "Facebook",
        K::Skype => "Skype",
        other => other.name(),
    }
}

fn same_network(a: IdentifierKind, b: IdentifierKind) -> bool {
    network_name(a) == network_name(b)
}

/// A link split into its parts: lower-case host without `www.`/`m.`, path segments, query.
#[derive(Debug)]
pub(crate) struct Link<'a> {
    scheme: Option<String>,
    host: String,
    segments: Vec<&'a str>,
    query: &'a str,
}

impl<'a> Link<'a> {
    /// Splits `text` if it looks like a link: a scheme, or a host with a dot before a `/`.
    pub(crate) fn parse(text: &'a str) -> Option<Link<'a>> {
        let (scheme, rest) = match text.find(':') {
            Some(i)
                if i > 0
                    && text[..i]
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-') =>
            {
                let rest = &text[i + 1..];
                let rest = rest.strip_prefix("//").unwrap_or(rest);
                (Some(text[..i].to_ascii_lowercase()), rest)
            }
            _ => (None, text),
        };
        let rest = rest.split('#').next().unwrap_or_default();
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let host = rest[..end].trim_end_matches('.');
        let is_web = matches!(scheme.as_deref(), None | Some("http" | "https"));
        // Before lower-casing it: most text read as a possible link (a phone number) is none.
        if is_web && !host.contains('.') {
            return None;
        }
        let host = host.to_ascii_lowercase();
        let after = &rest[end..];
        let (path, query) = match after.find('?') {
            Some(q) => (&after[..q], &after[q + 1..]),
            None => (after, ""),
        };
        let host = host
            .strip_prefix("www.")
            .or_else(|| host.strip_prefix("m."))
            .or_else(|| host.strip_prefix("mobile."))
            .or_else(|| host.strip_prefix("web."))
            .or_else(|| host.strip_prefix("mbasic."))
            .map(str::to_string)
            .unwrap_or(host);
        let segments = path.split('/').filter(|s| !s.is_empty()).collect();
        Some(Link {
            scheme,
            host,
            segments,
            query,
        })
    }

    /// The network this link belongs to, if any.
    pub(crate) fn network(&self) -> Option<Network> {
        match self.scheme.as_deref() {
            Some("tg") => return Some(Network::Telegram),
            Some("whatsapp") => return Some(Network::Whatsapp),
            Some("viber") => return Some(Network::Viber),
            Some("skype") => return Some(Network::Skype),
            None | Some("http" | "https") => {}
            Some(_) => return None,
        }
        Some(match self.host.as_str() {
            "t.me" | "telegram.me" | "telegram.dog" => Network::Telegram,
            "wa.me" | "api.whatsapp.com" | "whatsapp.com" | "chat.whatsapp.com" => {
                Network::Whatsapp
            }
            "vk.com" | "vk.ru" | "vk.me" | "vkontakte.ru" => Network::Vk,
            "instagram.com" | "instagr.am" => Network::Instagram,
            "facebook.com" | "fb.com" | "fb.me" => Network::Facebook,
            _ => return None,
        })
    }

    fn param(&self, name: &str) -> Option<&'a str> {
        self.query.split('&').find_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            (k == name).then_some(v)
        })
    }

    /// The identifiers this link denotes.
    pub(crate) fn identify(
        &self,
        network: Network,
        phones: &PhoneNormalizer,
    ) -> Result<Vec<Identifier>> {
        use IdentifierKind as K;
        let one = |k, v| Ok(vec![Identifier::new(k, v)]);
        let first = self.segments.first().copied().unwrap_or_default();
        let shown = || {
            let mut s = self.host.clone();
            for seg in &self.segments {
                s.push('/');
                s.push_str(seg);
            }
            s
        };
        match network {
            Network::Telegram => {
                if self.scheme.as_deref() == Some("tg") {
                    if let Some(d) = self.param("domain") {
                        return one(K::TelegramUsername, telegram_username(d)?);
                    }
                    if let Some(id) = self.param("id") {
                        return one(K::TelegramId, telegram_id(id)?);
                    }
                    return Err(invalid(format!(
                        "tg://{}?{} names no user",
                        self.host, self.query
                    )));
                }
                if let Some(rest) = first.strip_prefix('+') {
                    if is_digits(rest) {
                        return phone_ids(&format!("+{rest}"), phones);
                    }
                    return Err(invalid(format!(
                        "{} is a Telegram invite link, not a person",
                        shown()
                    )));
                }
                let name = match first.to_ascii_lowercase().as_str() {
                    "" => return Err(invalid(format!("{} names no user", shown()))),
                    "s" => self.segments.get(1).copied().unwrap_or_default(),
                    "joinchat" | "addstickers" | "addemoji" | "addtheme" | "share" | "proxy"
                    | "socks" | "setlanguage" | "login" | "invoice" | "confirmphone" | "boost"
                    | "c" | "iv" | "bg" => {
                        return Err(invalid(format!(
                            "{} is a Telegram service link, not a person",
                            shown()
                        )))
                    }
                    _ => first,
                };
                one(K::TelegramUsername, telegram_username(name)?)
            }
            Network::Whatsapp => {
                if self.host == "chat.whatsapp.com" {
                    return Err(invalid(format!(
                        "{} is a WhatsApp group invite, not a person",
                        shown()
                    )));
                }
                let number = match self.param("phone") {
                    Some(p) => p,
                    None if self.host == "wa.me" => first,
                    None => "",
                };
                let number = percent_decoded_plus(number);
                if number.is_empty() {
                    return Err(invalid(format!("{} names no WhatsApp number", shown())));
                }
                whatsapp_number(&number, phones)
            }
            Network::Viber => match self.param("number") {
                Some(n) => {
                    let n = percent_decoded_plus(n);
                    phone_ids(&international(&n), phones)
                }
                None => Err(invalid(format!(
                    "viber://{}?{} names no Viber user",
                    self.host, self.query
                ))),
            },
            Network::Skype => {
                // `skype:name?call` and `skype:live:id?chat` put the name in the host slot.
                let name = if self.host.is_empty() {
                    first
                } else {
                    self.host.as_str()
                };
                one(K::Skype, skype_name(name)?)
            }
            Network::Vk => {
                if first.is_empty() {
                    return Err(invalid(format!("{} names no VK user", shown())));
                }
                Ok(vec![vk_path(first, &shown())?])
            }
            Network::Instagram => {
                let name = match first.to_ascii_lowercase().as_str() {
                    "_u" | "stories" => self.segments.get(1).copied().unwrap_or_default(),
                    "p" | "reel" | "reels" | "tv" | "explore" | "accounts" | "direct" | "about"
                    | "developer" | "legal" | "web" | "challenge" | "ar" => {
                        return Err(invalid(format!(
                            "{} is an Instagram {} page, not a profile",
                            shown(),
                            first
                        )))
                    }
                    _ => first,
                };
                if name.is_empty() {
                    return Err(invalid(format!("{} names no Instagram user", shown())));
                }
                one(K::Instagram, instagram_username(name)?)
            }
            Network::Facebook => {
                let lower = first.to_ascii_lowercase();
                if lower == "profile.php" {
                    return match self.param("id") {
                        Some(id) if is_digits(id) && id.len() <= 20 => {
                            one(K::Facebook, id.to_string())
                        }
                        _ => Err(invalid(format!("{} has no numeric id", shown()))),
                    };
                }
                if lower == "people" {
                    return match self.segments.get(2) {
                        Some(id) if is_digits(id) && id.len() <= 20 => {
                            one(K::Facebook, (*id).to_string())
                        }
                        _ => Err(invalid(format!("{} has no numeric id", shown()))),
                    };
                }
                if matches!(
                    lower.as_str(),
                    "groups"
                        | "pages"
                        | "events"
                        | "watch"
                        | "marketplace"
                        | "photo.php"
                        | "photo"
                        | "story.php"
                        | "permalink.php"
                        | "sharer"
                        | "sharer.php"
                        | "share"
                        | "login"
                        | "login.php"
                        | "help"
                        | "messages"
                        | "notifications"
                        | "hashtag"
                        | "gaming"
                        | "reel"
                        | "settings"
                        | "home.php"
                        | "search"
                        | "friends"
                        | "policies"
                        | "privacy"
                        | "business"
                        | "ads"
                        | "l.php"
                        | "dialog"
                        | "plugins"
                ) {
                    return Err(invalid(format!(
                        "{} is a Facebook {} page, not a profile",
                        shown(),
                        lower.trim_end_matches(".php")
                    )));
                }
                if first.is_empty() {
                    return Err(invalid(format!("{} names no Facebook user", shown())));
                }
                if is_digits(first) && first.len() <= 20 {
                    return one(K::Facebook, first.to_string());
                }
                one(K::Facebook, facebook_name(first)?)
            }
        }
    }
}

fn check_size(text: &str) -> Result<()> {
    if text.len() > MAX_HANDLE_INPUT {
        return Err(Error::too_large(
            "handle input",
            text.len(),
            MAX_HANDLE_INPUT,
        ));
    }
    Ok(())
}

fn invalid(msg: String) -> Error {
    Error::new(ErrorKind::InvalidHandle, msg)
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// `%2B` and a leading space (a `+` decoded from a query string) both mean `+`.
fn percent_decoded_plus(s: &str) -> String {
    let s = s
        .replace("%2B", "+")
        .replace("%2b", "+")
        .replace("%20", " ");
    s.trim().to_string()
}

/// The number with a `+` in front unless it has one (a `wa_id` or a `number=` parameter is
/// always international).
fn international(number: &str) -> String {
    let t = number.trim();
    if t.starts_with('+') {
        t.to_string()
    } else {
        format!("+{t}")
    }
}

/// The phone identifier for `number`, which must be a valid number.
fn phone_ids(number: &str, phones: &PhoneNormalizer) -> Result<Vec<Identifier>> {
    let p = phones.normalize(number).map_err(|e| {
        invalid(format!(
            "{number:?} is not a usable phone number: {}",
            e.message()
        ))
    })?;
    if !p.valid {
        return Err(invalid(format!(
            "{number:?} is not a valid phone number ({} is not assigned)",
            p.e164
        )));
    }
    Ok(vec![Identifier::new(IdentifierKind::Phone, p.e164)])
}

/// A WhatsApp number (`wa_id`, `+7 912 ...`, or a `wa.me` link): `whatsapp` and `phone`.
///
/// The number is read internationally, as WhatsApp does. When that gives no valid number and
/// the text has no `+` (`8 912 345-67-89` typed into a "WhatsApp" form field), it is read as a
/// national number of the normaliser's default region.
fn whatsapp_number(text: &str, phones: &PhoneNormalizer) -> Result<Vec<Identifier>> {
    if let Some(link) = Link::parse(text) {
        match link.network() {
            Some(Network::Whatsapp) => return link.identify(Network::Whatsapp, phones),
            Some(_) => {
                return Err(invalid(format!(
                    "{text:?} is a link to another network, not a WhatsApp number"
                )))
            }
            None => {}
        }
    }
    let digits = text.bytes().filter(u8::is_ascii_digit).count();
    if digits == 0 || text.chars().any(|c| c.is_alphabetic()) {
        return Err(invalid(format!("{text:?} is not a WhatsApp number")));
    }
    let phone = phone_ids(&international(text), phones).or_else(|e| {
        if text.trim_start().starts_with('+') {
            Err(e)
        } else {
            phone_ids(text, phones)
        }
    })?;
    let e164 = phone[0].value.clone();
    Ok(vec![
        Identifier::new(IdentifierKind::Whatsapp, e164.trim_start_matches('+')),
        Identifier::new(IdentifierKind::Phone, e164),
    ])
}

/// A Telegram username: 5-32 of `[a-z0-9_]`, starting with a letter, no `__`, no trailing `_`.
pub(crate) fn telegram_username(name: &str) -> Result<String> {
    let n = name.trim().trim_start_matches('@');
    let shown = n;
    if n.len() < 5 || n.len() > 32 {
        return Err(invalid(format!(
            "Telegram username {shown:?} has {} characters; it needs 5 to 32",
            n.chars().count()
        )));
    }
    if let Some(c) = n
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
    {
        return Err(invalid(format!(
            "Telegram username {shown:?} has {c:?}; only a-z, 0-9 and _ are allowed"
        )));
    }
    if !n.as_bytes()[0].is_ascii_alphabetic() {
        return Err(invalid(format!(
            "Telegram username {shown:?} must start with a letter"
        )));
    }
    if n.ends_with('_') || n.contains("__") {
        return Err(invalid(format!(
            "Telegram username {shown:?} ends with _ or has __"
        )));
    }
    Ok(n.to_ascii_lowercase())
}

fn telegram_id(id: &str) -> Result<String> {
    let id = id.trim();
    if !is_digits(id) || id.len() > 20 || id.bytes().all(|b| b == b'0') {
        return Err(invalid(format!("{id:?} is not a Telegram user id")));
    }
    Ok(id.trim_start_matches('0').to_string())
}

fn viber_id(id: &str) -> Result<String> {
    if id.is_empty()
        || id.len() > 64
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'_' | b'-'))
    {
        return Err(invalid(format!(
            "{id:?} is not a Viber id (1-64 of letters, digits and +/=_-)"
        )));
    }
    Ok(id.to_string())
}

/// A VK path segment or bare handle: `id123`, `123`, a screen name; groups are rejected.
pub(crate) fn vk_path(seg: &str, shown: &str) -> Result<Identifier> {
    let lower = seg.trim().to_ascii_lowercase();
    if is_digits(&lower) {
        return vk_id(&lower, shown);
    }
    for prefix in ["id", "write"] {
        if let Some(id) = lower.strip_prefix(prefix).filter(|s| is_digits(s)) {
            return vk_id(id, shown);
        }
    }
    for prefix in ["club", "public", "event"] {
        if lower.strip_prefix(prefix).is_some_and(is_digits) {
            return Err(invalid(format!(
                "{shown} is a VK community ({prefix}), not a person"
            )));
        }
    }
    const RESERVED: &[&str] = &[
        "feed",
        "im",
        "friends",
        "groups",
        "audio",
        "audios",
        "video",
        "videos",
        "music",
        "search",
        "settings",
        "apps",
        "app",
        "photos",
        "albums",
        "market",
        "docs",
        "away.php",
        "login",
        "support",
        "pages",
        "page",
        "stickers",
        "wall",
        "edit",
        "gifts",
        "bookmarks",
        "fave",
        "games",
        "services",
        "dev",
        "blog",
        "about",
        "terms",
        "privacy",
        "jobs",
        "clips",
        "clip",
        "podcasts",
        "mail",
        "help",
        "restore",
        "join",
        "share.php",
        "note",
        "notes",
        "topic",
        "board",
        "poll",
        "wiki",
        "vkpay",
        "verify",
        "ads",
        "biz",
        "press",
        "security",
        "legal",
        "data_protection",
        "friends_search",
    ];
    let base = lower.split(['?', '#']).next().unwrap_or_default();
    if RESERVED.contains(&base)
        || [
            "wall", "photo", "video", "album", "audio", "topic", "app", "market",
        ]
        .iter()
        .any(|p| {
            base.strip_prefix(p)
                .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit() || c == '-'))
        })
    {
        return Err(invalid(format!(
            "{shown} is a VK service page, not a person"
        )));
    }
    let n = base.len();
    if !(2..=32).contains(&n)
        || !base
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.')
        || !base.bytes().any(|b| b.is_ascii_lowercase())
        || base.starts_with('.')
        || base.ends_with('.')
    {
        return Err(invalid(format!(
            "{seg:?} is not a VK screen name (2-32 of a-z, 0-9, _ and ., with a letter)"
        )));
    }
    Ok(Identifier::new(IdentifierKind::VkScreenName, base))
}

fn vk_id(id: &str, shown: &str) -> Result<Identifier> {
    if id.len() > 12 || id.bytes().all(|b| b == b'0') {
        return Err(invalid(format!("{shown} is not a VK user id")));
    }
    Ok(Identifier::new(
        IdentifierKind::VkId,
        id.trim_start_matches('0'),
    ))
}

/// An Instagram username: 1-30 of `[a-z0-9._]`, no dot at either end, no `..`.
pub(crate) fn instagram_username(name: &str) -> Result<String> {
    let n = name.trim().trim_start_matches('@').to_ascii_lowercase();
    if n.is_empty()
        || n.len() > 30
        || !n
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'_')
    {
        return Err(invalid(format!(
            "{name:?} is not an Instagram username (1-30 of a-z, 0-9, . and _)"
        )));
    }
    if n.starts_with('.') || n.ends_with('.') || n.contains("..") {
        return Err(invalid(format!(
            "Instagram username {name:?} has a dot at an end or two in a row"
        )));
    }
    Ok(n)
}

/// A Facebook username: 5-50 of `[a-z0-9.]` with a letter; dots and case do not count.
fn facebook_name(name: &str) -> Result<String> {
    let n = name.trim().trim_start_matches('@');
    if !(5..=50).contains(&n.len())
        || !n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.')
        || !n.bytes().any(|b| b.is_ascii_alphabetic())
    {
        return Err(invalid(format!(
            "{name:?} is not a Facebook username (5-50 of letters, digits and dots)"
        )));
    }
    Ok(n.bytes()
        .filter(|&b| b != b'.')
        .map(|b| char::from(b.to_ascii_lowercase()))
        .collect())
}

/// A Skype name: `live:` + id, or 6-32 of `[a-z0-9.,_-]` starting with a letter.
pub(crate) fn skype_name(name: &str) -> Result<String> {
    let n = name.trim();
    let n = n
        .strip_prefix("skype:")
        .or_else(|| n.strip_prefix("Skype:"))
        .unwrap_or(n);
    let n = n.split('?').next().unwrap_or_default().to_ascii_lowercase();
    let ok_char = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b',' | b'_' | b'-');
    if let Some(id) = n.strip_prefix("live:") {
        if !id.is_empty() && id.len() <= 64 && id.bytes().all(ok_char) {
            return Ok(n);
        }
    } else if (6..=32).contains(&n.len())
        && n.as_bytes()[0].is_ascii_alphabetic()
        && n.bytes().all(ok_char)
    {
        return Ok(n);
    }
    Err(invalid(format!(
        "{name:?} is not a Skype name (live:id, or 6-32 of a-z, 0-9, . , _ - starting with a letter)"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use IdentifierKind as K;

    fn norm(kind: K, s: &str) -> Vec<(K, String)> {
        normalize_handle(kind, s)
            .unwrap_or_else(|e| panic!("{s:?}: {e}"))
            .into_iter()
            .map(|i| (i.kind, i.value))
            .collect()
    }

    fn link(s: &str) -> (K, String) {
        let i = parse_profile_link(s).unwrap_or_else(|e| panic!("{s:?}: {e}"));
        (i.kind, i.value)
    }

    fn rejected(s: &str) -> String {
        let e = parse_profile_link(s).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidHandle, "{s:?}");
        e.to_string()
    }

    #[test]
    fn telegram_forms_give_one_lower_case_username() {
        for s in [
            "@Ivan_Petrov",
            "Ivan_Petrov",
            "https://t.me/Ivan_Petrov",
            "t.me/ivan_petrov/",
            "http://telegram.me/ivan_petrov?start=crm",
            "tg://resolve?domain=Ivan_Petrov",
            "https://t.me/s/ivan_petrov",
        ] {
            assert_eq!(
                norm(K::TelegramUsername, s),
                [(K::TelegramUsername, "ivan_petrov".into())],
                "{s}"
            );
        }
        assert_eq!(
            norm(K::TelegramUsername, "123456789"),
            [(K::TelegramId, "123456789".into())]
        );
        assert_eq!(
            link("tg://user?id=123456789"),
            (K::TelegramId, "123456789".into())
        );
    }

    #[test]
    fn telegram_rules_are_enforced() {
        for bad in [
            "@ivan",
            "@1ivan_petrov",
            "@ivan__petrov",
            "@ivan_petrov_",
            "@иван_петров",
        ] {
            assert!(rejected(bad).contains("Telegram username"), "{bad}");
        }
        assert!(rejected("https://t.me/+AbCdEf12345").contains("invite"));
        // A t.me link by phone number is the phone.
        assert_eq!(
            norm(K::TelegramUsername, "t.me/+79123456789"),
            [(K::Phone, "+79123456789".into())]
        );
        assert!(rejected("https://t.me/joinchat/AbCdEf").contains("service"));
        assert!(normalize_handle(K::TelegramId, "-1001234567890")
            .unwrap_err()
            .to_string()
            .contains("group"));
    }

    #[test]
    fn whatsapp_yields_whatsapp_and_phone() {
        let want = vec![
            (K::Whatsapp, "79123456789".into()),
            (K::Phone, "+79123456789".into()),
        ];
        for s in [
            "79123456789",
            "+7 912 345-67-89",
            "https://wa.me/79123456789",
            "wa.me/79123456789?text=Hello",
            "https://api.whatsapp.com/send?phone=79123456789&text=hi",
            "whatsapp://send?phone=%2B79123456789",
            "8 912 345-67-89",
        ] {
            assert_eq!(norm(K::Whatsapp, s), want, "{s}");
        }
        assert!(normalize_handle(K::Whatsapp, "https://chat.whatsapp.com/AbCdEf").is_err());
        assert!(normalize_handle(K::Whatsapp, "t.me/ivan_petrov").is_err());
    }

    #[test]
    fn viber_ids_keep_case_and_viber_number_links_are_phones() {
        assert_eq!(
            norm(K::ViberId, "01AbCdEf+gh/IJ=="),
            [(K::ViberId, "01AbCdEf+gh/IJ==".into())]
        );
        assert_eq!(
            link("viber://chat?number=%2B79123456789"),
            (K::Phone, "+79123456789".into())
        );
        assert!(normalize_handle(K::ViberId, "not an id!").is_err());
    }

    #[test]
    fn vk_ids_screen_names_and_non_people() {
        for s in [
            "123456",
            "id123456",
            "vk.com/id123456",
            "https://m.vk.com/id123456?w=wall",
            "vk.ru/id123456",
            "https://vk.com/write123456",
        ] {
            assert_eq!(norm(K::VkId, s), [(K::VkId, "123456".into())], "{s}");
        }
        assert_eq!(
            norm(K::VkScreenName, "https://vk.com/Ivan.Petrov"),
            [(K::VkScreenName, "ivan.petrov".into())]
        );
        assert_eq!(norm(K::VkScreenName, "id42"), [(K::VkId, "42".into())]);
        assert_eq!(
            link("vk.me/anna_smirnova"),
            (K::VkScreenName, "anna_smirnova".into())
        );
        assert!(rejected("https://vk.com/club12345").contains("community"));
        assert!(rejected("https://vk.com/public12345").contains("community"));
        assert!(rejected("https://vk.com/feed").contains("service page"));
        assert!(rejected("https://vk.com/wall-123_45").contains("service page"));
    }

    #[test]
    fn instagram_profiles_and_non_profiles() {
        for s in [
            "@Anna.Smirnova",
            "instagram.com/anna.smirnova",
            "https://www.instagram.com/anna.smirnova/?hl=ru",
            "instagr.am/anna.smirnova",
            "https://instagram.com/_u/anna.smirnova",
        ] {
            assert_eq!(
                norm(K::Instagram, s),
                [(K::Instagram, "anna.smirnova".into())],
                "{s}"
            );
        }
        assert!(rejected("https://www.instagram.com/p/Cx1AbCdEf/").contains("p page"));
        assert!(rejected("https://instagram.com/reel/Cx1AbCdEf").contains("reel"));
        assert!(rejected("instagram.com/explore/tags/moscow").contains("explore"));
        assert!(normalize_handle(K::Instagram, "anna..smirnova").is_err());
        assert!(normalize_handle(K::Instagram, &"a".repeat(31)).is_err());
    }

    #[test]
    fn facebook_usernames_ignore_dots_and_ids_come_from_profile_php() {
        assert_eq!(
            link("https://www.facebook.com/Ivan.Petrov.77"),
            (K::Facebook, "ivanpetrov77".into())
        );
        assert_eq!(
            link("fb.com/ivanpetrov77/"),
            (K::Facebook, "ivanpetrov77".into())
        );
        assert_eq!(
            link("https://m.facebook.com/profile.php?id=100001234567890&ref=x"),
            (K::Facebook, "100001234567890".into())
        );
        assert_eq!(
            link("https://facebook.com/people/Ivan-Petrov/100001234567890/"),
            (K::Facebook, "100001234567890".into())
        );
        assert!(rejected("https://facebook.com/groups/123456").contains("groups page"));
        assert!(rejected("https://facebook.com/sharer.php?u=x").contains("sharer page"));
    }

    #[test]
    fn skype_names() {
        assert_eq!(
            norm(K::Skype, "Ivan.Petrov"),
            [(K::Skype, "ivan.petrov".into())]
        );
        assert_eq!(
            norm(K::Skype, "live:ivan_1"),
            [(K::Skype, "live:ivan_1".into())]
        );
        assert_eq!(
            link("skype:ivan.petrov?call"),
            (K::Skype, "ivan.petrov".into())
        );
        assert_eq!(
            link("skype:live:.cid.0123abcd?chat"),
            (K::Skype, "live:.cid.0123abcd".into())
        );
        assert!(normalize_handle(K::Skype, "ivan").is_err());
    }

    #[test]
    fn a_link_to_another_network_is_not_accepted_for_a_kind() {
        let e = normalize_handle(K::Instagram, "https://vk.com/id1").unwrap_err();
        assert!(e.to_string().contains("VK link"), "{e}");
    }

    #[test]
    fn unknown_links_and_oversized_input_are_rejected() {
        assert!(rejected("https://example.com/ivan").contains("known network"));
        assert!(rejected("ivan petrov").contains("not a recognised"));
        let e = parse_profile_link(&"a".repeat(MAX_HANDLE_INPUT + 1)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InputTooLarge);
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,60}", k in 0usize..15) {
            let _ = parse_profile_link(&s);
            let _ = normalize_handle(IdentifierKind::ALL[k], &s);
        }

        #[test]
        fn never_panics_on_link_shaped_input(
            host in "(t\\.me|vk\\.com|instagram\\.com|wa\\.me|facebook\\.com|tg:|skype:|viber:)",
            path in "[/?=&%+:a-zA-Z0-9._-]{0,30}",
        ) {
            let _ = parse_profile_link(&format!("{host}/{path}"));
            let _ = parse_profile_link(&format!("{host}{path}"));
        }

        #[test]
        fn valid_usernames_are_canonical_and_idempotent(n in "[a-zA-Z][a-zA-Z0-9_]{4,31}") {
            if let Ok(v) = telegram_username(&n) {
                prop_assert_eq!(telegram_username(&v).unwrap(), v.clone());
                prop_assert_eq!(v, n.to_ascii_lowercase());
            }
        }
    }
}
