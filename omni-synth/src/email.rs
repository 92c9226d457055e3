//! Invented mailboxes at the providers people really use, and the ways one mailbox gets written.
//!
//! The generator's own minimal provider rules live here, for two jobs only: keeping generated
//! mailboxes distinct (no two people share `ivanpetrov@gmail.com` and `ivan.petrov@gmail.com`,
//! which are one Gmail mailbox) and writing the canonical key into messages' sender identifiers.
//! They are deliberately independent of omni-core's email module.

use crate::rng::SynthRng;

/// A mailbox provider family and what it ignores in an address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Provider {
    /// gmail.com / googlemail.com: dots and `+tag` ignored.
    Gmail,
    /// yandex.ru, ya.ru, yandex.com/.by/.kz/.ua: one mailbox; `+tag` ignored.
    Yandex,
    /// mail.ru, bk.ru, inbox.ru, list.ru: separate mailboxes.
    MailRu,
    /// outlook.com, hotmail.com, live.com: `+tag` ignored.
    Outlook,
    /// icloud.com, me.com: `+tag` ignored.
    Icloud,
    /// yahoo.com: `-tag` (disposable address) ignored.
    Yahoo,
    /// rambler.ru and company domains: the address as written (lower case).
    Plain,
}

/// Personal mail domains with their provider and how common they are among Russian speakers
/// and English speakers.
pub(crate) static PERSONAL_DOMAINS: &[(&str, Provider, u32, u32)] = &[
    ("gmail.com", Provider::Gmail, 22, 45),
    ("yandex.ru", Provider::Yandex, 16, 0),
    ("ya.ru", Provider::Yandex, 5, 0),
    ("yandex.com", Provider::Yandex, 1, 1),
    ("mail.ru", Provider::MailRu, 17, 0),
    ("bk.ru", Provider::MailRu, 3, 0),
    ("inbox.ru", Provider::MailRu, 3, 0),
    ("list.ru", Provider::MailRu, 2, 0),
    ("rambler.ru", Provider::Plain, 3, 0),
    ("outlook.com", Provider::Outlook, 2, 15),
    ("hotmail.com", Provider::Outlook, 1, 8),
    ("icloud.com", Provider::Icloud, 4, 12),
    ("yahoo.com", Provider::Yahoo, 1, 12),
];

/// Yandex's other domains for the same mailbox.
pub(crate) const YANDEX_ALIASES: &[&str] = &[
    "yandex.ru",
    "ya.ru",
    "yandex.com",
    "yandex.by",
    "yandex.kz",
    "yandex.ua",
];

/// Values typed into a required email field by people who will not give one.
pub const PLACEHOLDER_EMAILS: &[&str] = &[
    "test@test.com",
    "no@email.com",
    "noemail@mail.ru",
    "none@none.ru",
    "123@123.ru",
    "net@net.ru",
    "a@a.ru",
    "email@example.com",
];

/// The provider family of a domain (lower case).
pub(crate) fn provider_of(domain: &str) -> Provider {
    match domain {
        "gmail.com" | "googlemail.com" => Provider::Gmail,
        d if YANDEX_ALIASES.contains(&d) => Provider::Yandex,
        "mail.ru" | "bk.ru" | "inbox.ru" | "list.ru" => Provider::MailRu,
        "outlook.com" | "hotmail.com" | "live.com" => Provider::Outlook,
        "icloud.com" | "me.com" => Provider::Icloud,
        "yahoo.com" => Provider::Yahoo,
        _ => Provider::Plain,
    }
}

/// The mailbox an address reaches, as one lower-case string: Gmail without dots and `+tag` at
/// gmail.com, Yandex at yandex.ru with dots as hyphens, iCloud at icloud.com, `+tag`/`-tag`
/// dropped where the provider ignores it. The same keys as omni-core's default email rules for
/// the providers generated here (checked by hand against its documented table, not shared code).
///
/// # Example
/// ```
/// use omni_synth::mailbox_key;
/// assert_eq!(mailbox_key("Ivan.Petrov+shop@GoogleMail.com"), "ivanpetrov@gmail.com");
/// assert_eq!(mailbox_key("olga.k@ya.ru"), "olga-k@yandex.ru");
/// assert_eq!(mailbox_key("Olga.K@bk.ru"), "olga.k@bk.ru");
/// ```
pub fn mailbox_key(address: &str) -> String {
    let lower = address.trim().to_lowercase();
    let Some((local, domain)) = lower.rsplit_once('@') else {
        return lower;
    };
    let provider = provider_of(domain);
    let local = match provider {
        Provider::Gmail | Provider::Yandex | Provider::Outlook | Provider::Icloud => {
            local.split('+').next().unwrap_or(local)
        }
        Provider::Yahoo => local.split('-').next().unwrap_or(local),
        _ => local,
    };
    match provider {
        Provider::Gmail => format!("{}@gmail.com", local.replace('.', "")),
        // A Yandex login owns every Yandex domain, and a dot in it is the same as a hyphen.
        Provider::Yandex => format!("{}@yandex.ru", local.replace('.', "-")),
        Provider::Icloud => format!("{local}@icloud.com"),
        _ => format!("{local}@{domain}"),
    }
}

/// A person's mailbox as registered: `local@domain`, lower case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Mailbox {
    pub local: String,
    pub domain: String,
}

/// What was done to an address when writing it (for the truth labels).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct EmailChanges {
    pub case: bool,
    pub gmail_dots: bool,
    pub tag: bool,
    pub domain_alias: bool,
    pub typo: bool,
}

const TAGS: &[&str] = &[
    "shop", "promo", "orders", "news", "crm", "2024", "spam", "work",
];
const DOMAIN_TYPOS: &[(&str, &str)] = &[
    ("gmail.com", "gmial.com"),
    ("gmail.com", "gmail.co"),
    ("gmail.com", "gmai.com"),
    ("mail.ru", "mail.ry"),
    ("mail.ru", "maill.ru"),
    ("yandex.ru", "yandex.ri"),
    ("yandex.ru", "yanex.ru"),
    ("outlook.com", "outlok.com"),
    ("icloud.com", "iclod.com"),
];

impl Mailbox {
    /// The address as registered.
    pub fn address(&self) -> String {
        format!("{}@{}", self.local, self.domain)
    }

    /// The address written with the variations people produce, each with probability given by
    /// `rates` (case, gmail dots, tag, domain alias, typo); returns the text and what changed.
    pub fn written(&self, rng: &mut SynthRng, rates: &EmailRates) -> (String, EmailChanges) {
        let mut ch = EmailChanges::default();
        let mut local = self.local.clone();
        let mut domain = self.domain.clone();
        let provider = provider_of(&domain);
        if provider == Provider::Gmail && rng.chance(rates.gmail_dots) {
            let bare: String = local.chars().filter(|&c| c != '.').collect();
            local = if bare != local || bare.len() < 4 {
                bare
            } else {
                let cut = rng.range(1, bare.len() as u64 - 1) as usize;
                format!("{}.{}", &bare[..cut], &bare[cut..])
            };
            ch.gmail_dots = local != self.local;
        }
        let taggable = matches!(
            provider,
            Provider::Gmail
                | Provider::Yandex
                | Provider::Outlook
                | Provider::Icloud
                | Provider::Yahoo
        );
        if taggable && rng.chance(rates.tag) {
            let sep = if provider == Provider::Yahoo {
                '-'
            } else {
                '+'
            };
            local = format!("{local}{sep}{}", rng.pick(TAGS));
            ch.tag = true;
        }
        if rng.chance(rates.domain_alias) {
            match provider {
                Provider::Yandex => {
                    let alias = rng.pick(YANDEX_ALIASES);
                    if *alias != domain {
                        domain = (*alias).to_string();
                        ch.domain_alias = true;
                    }
                }
                Provider::Gmail => {
                    domain = "googlemail.com".into();
                    ch.domain_alias = true;
                }
                _ => {}
            }
        }
        if rng.chance(rates.typo) {
            let typos: Vec<&(&str, &str)> =
                DOMAIN_TYPOS.iter().filter(|(d, _)| *d == domain).collect();
            if !typos.is_empty() && rng.chance(0.6) {
                domain = rng.pick(&typos).1.to_string();
            } else {
                local = crate::typo::typo(rng, &local);
            }
            ch.typo = true;
        }
        let mut text = format!("{local}@{domain}");
        if rng.chance(rates.case) {
            text = match rng.below(3) {
                0 => text.to_uppercase(),
                1 => capitalize_parts(&text),
                _ => {
                    let (l, d) = text.split_once('@').unwrap_or((&text, ""));
                    format!("{l}@{}", capitalize_parts(d))
                }
            };
            ch.case = text != text.to_lowercase();
        }
        (text, ch)
    }
}

/// How often each email variation is applied.
#[derive(Clone, Copy, Debug)]
pub(crate) struct EmailRates {
    pub case: f64,
    pub gmail_dots: f64,
    pub tag: f64,
    pub domain_alias: f64,
    pub typo: f64,
}

fn capitalize_parts(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut start = true;
    for c in text.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        start = matches!(c, '.' | '@' | '_' | '-');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mailbox_keys_follow_provider_rules() {
        assert_eq!(
            mailbox_key("I.Van.Petrov@gmail.com"),
            "ivanpetrov@gmail.com"
        );
        assert_eq!(mailbox_key("olga+news@yandex.kz"), "olga@yandex.ru");
        assert_eq!(
            mailbox_key("john.smith-promo@yahoo.com"),
            "john.smith@yahoo.com"
        );
        assert_eq!(mailbox_key("anna.k+x@mail.ru"), "anna.k+x@mail.ru");
        assert_eq!(mailbox_key("Info@Vektor.example"), "info@vektor.example");
    }

    #[test]
    fn written_variants_reach_the_same_mailbox_unless_mistyped() {
        let mut rng = SynthRng::new(8);
        let rates = EmailRates {
            case: 0.5,
            gmail_dots: 0.5,
            tag: 0.5,
            domain_alias: 0.5,
            typo: 0.0,
        };
        for domain in [
            "gmail.com",
            "yandex.ru",
            "mail.ru",
            "yahoo.com",
            "outlook.com",
        ] {
            let m = Mailbox {
                local: "ivan.petrov".into(),
                domain: domain.into(),
            };
            for _ in 0..50 {
                let (text, _) = m.written(&mut rng, &rates);
                assert_eq!(mailbox_key(&text), mailbox_key(&m.address()), "{text}");
            }
        }
    }
}
