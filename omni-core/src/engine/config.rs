//! How an engine is set up: regions, matching and threading settings, consent policy per
//! jurisdiction, channel costs, quiet hours, preference and reachability windows. Every field
//! has a default that works for a Russian business; the whole configuration reads from JSON.

use crate::error::{Error, ErrorKind, Result};
use crate::message::Channel;
use crate::resolve::ResolverConfig;
use crate::thread::ThreadConfig;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything an [`Engine`](super::Engine) can be told. Unknown fields are rejected.
///
/// ```
/// use omni_core::engine::EngineConfig;
///
/// let config = EngineConfig::from_json(r#"{"default_region": "KZ", "costs": {"sms": 1.5}}"#).unwrap();
/// assert_eq!(config.cost_of(&omni_core::Channel::Sms), 1.5);
/// assert_eq!(config.cost_of(&omni_core::Channel::Whatsapp), 4.0);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EngineConfig {
    /// Region for national phone numbers, in senders, forms and texts (default `RU`). Also the
    /// jurisdiction and time zone of customers without a phone.
    pub default_region: String,
    /// Identity resolution settings (its `default_region` is replaced by the one above).
    pub resolver: ResolverConfig,
    /// Threading settings.
    pub threading: ThreadConfig,
    /// Messages sharing a chat session id or a provider conversation id belong to one customer
    /// (default true).
    pub link_sessions: bool,
    /// Messages from the same site visitor or push subscription belong to one customer unless
    /// clearly different people use it (default true).
    pub link_devices: bool,
    /// Phones, emails and handles a customer writes in an inbound message identify them too
    /// (`пишите на ivan@example.com` in a chat; default true). Not in an automatic reply (a
    /// `metadata.auto_reply` marker, set by the email adapter): the phone in an out-of-office
    /// reply is a colleague's. A bounce (from `mailer-daemon@` or `postmaster@`) is about the
    /// customer whose address it names: its record holds the addresses in its text and not the
    /// mail system's own.
    pub link_contacts_in_text: bool,
    /// Consent policy per jurisdiction.
    pub consent: ConsentConfig,
    /// Cost of one outbound message per channel name, in `currency`. Channels not listed cost
    /// what [`EngineConfig::default_costs`] says, or 0 for channels not there either.
    pub costs: BTreeMap<String, f64>,
    /// Currency of `costs` (default `RUB`).
    pub currency: String,
    /// When not to disturb customers, in their local time.
    pub quiet_hours: QuietHours,
    /// How channel preference is inferred.
    pub preference: PreferenceConfig,
    /// When identifiers count as unreachable.
    pub reachability: ReachabilityConfig,
    /// UTC offsets by phone region (`{"KZ": "+05:00"}`), over the built-in table.
    pub region_offsets: BTreeMap<String, String>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            default_region: "RU".into(),
            resolver: ResolverConfig::default(),
            threading: ThreadConfig::default(),
            link_sessions: true,
            link_devices: true,
            link_contacts_in_text: true,
            consent: ConsentConfig::default(),
            costs: BTreeMap::new(),
            currency: "RUB".into(),
            quiet_hours: QuietHours::default(),
            preference: PreferenceConfig::default(),
            reachability: ReachabilityConfig::default(),
            region_offsets: BTreeMap::new(),
        }
    }
}

impl EngineConfig {
    /// Reads a configuration from JSON; missing fields take their defaults.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidJson`] for malformed JSON or an unknown or mistyped field, naming
    /// its path.
    pub fn from_json(text: &str) -> Result<EngineConfig> {
        let de = &mut serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            Error::new(
                ErrorKind::InvalidJson,
                format!("config.{path}: {}", e.into_inner()),
            )
        })
    }

    /// The configuration as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a config always serialises")
    }

    /// The documented default cost of one outbound message per channel, in RUB (2024 list
    /// prices of Russian providers, rounded): SMS 2, WhatsApp 4 (a business-initiated
    /// template), Viber 1.5, voice 5 (a short outbound call), Telegram 0 (a bot), VK 0.02,
    /// email 0.1, app and web push 0, live chat, chatbot, Instagram and Facebook 0.
    pub fn default_costs() -> &'static [(Channel, f64)] {
        &[
            (Channel::Sms, 2.0),
            (Channel::Whatsapp, 4.0),
            (Channel::Viber, 1.5),
            (Channel::Voice, 5.0),
            (Channel::Telegram, 0.0),
            (Channel::Vk, 0.02),
            (Channel::Email, 0.1),
            (Channel::AppPush, 0.0),
            (Channel::WebPush, 0.0),
            (Channel::LiveChat, 0.0),
            (Channel::Chatbot, 0.0),
            (Channel::Instagram, 0.0),
            (Channel::Facebook, 0.0),
            (Channel::Skype, 0.0),
        ]
    }

    /// The cost of one message on `channel`.
    pub fn cost_of(&self, channel: &Channel) -> f64 {
        if let Some(&c) = self.costs.get(channel.name()) {
            return c;
        }
        Self::default_costs()
            .iter()
            .find(|(c, _)| c == channel)
            .map_or(0.0, |&(_, cost)| cost)
    }

    /// Checks the values that JSON cannot: regions, hours, windows, costs, offsets.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] naming the field.
    pub fn validate(&self) -> Result<()> {
        let bad = |field: &str, why: String| {
            Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("config.{field}: {why}"),
            ))
        };
        if self.quiet_hours.start_hour > 23 || self.quiet_hours.end_hour > 23 {
            return bad("quiet_hours", "hours run from 0 to 23".into());
        }
        if !(self.preference.half_life_days > 0.0 && self.preference.half_life_days.is_finite()) {
            return bad(
                "preference.half_life_days",
                "must be a positive number".into(),
            );
        }
        for (name, cost) in &self.costs {
            if !(cost.is_finite() && *cost >= 0.0) {
                return bad(&format!("costs.{name}"), format!("{cost} is not a cost"));
            }
        }
        for (region, offset) in &self.region_offsets {
            if parse_offset(offset).is_none() {
                return bad(
                    &format!("region_offsets.{region}"),
                    format!("{offset:?} is not a UTC offset like \"+05:00\""),
                );
            }
        }
        Ok(())
    }
}

/// Consent policy: which channels need an explicit opt-in before marketing, per jurisdiction
/// (the customer's phone region, else the default region).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConsentConfig {
    /// The policy where no jurisdiction-specific one is given.
    pub default: ConsentPolicy,
    /// Policies by jurisdiction (ISO region code: `RU`, `DE`).
    pub jurisdictions: BTreeMap<String, ConsentPolicy>,
}

impl ConsentConfig {
    /// The policy for a jurisdiction.
    pub fn policy(&self, jurisdiction: &str) -> &ConsentPolicy {
        self.jurisdictions
            .get(jurisdiction)
            .unwrap_or(&self.default)
    }
}

/// What consent a jurisdiction asks for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConsentPolicy {
    /// Marketing on these channels needs an explicit opt-in (default: SMS, voice and every
    /// messenger: WhatsApp, Telegram, Viber, VK, Instagram, Facebook, Skype). Other channels
    /// (email, push, chat) may carry marketing to a customer who has not opted out.
    pub marketing_opt_in: Vec<Channel>,
    /// Transactional (service) messages on these channels need an explicit opt-in too
    /// (default none: service messages go to a customer who has not opted out).
    pub transactional_opt_in: Vec<Channel>,
}

impl Default for ConsentPolicy {
    fn default() -> Self {
        ConsentPolicy {
            marketing_opt_in: vec![
                Channel::Sms,
                Channel::Voice,
                Channel::Whatsapp,
                Channel::Telegram,
                Channel::Viber,
                Channel::Vk,
                Channel::Instagram,
                Channel::Facebook,
                Channel::Skype,
            ],
            transactional_opt_in: Vec::new(),
        }
    }
}

/// Hours when intrusive channels wait, in the customer's local time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QuietHours {
    /// Local hour quiet time starts (default 21).
    pub start_hour: u8,
    /// Local hour quiet time ends (default 9). Equal to `start_hour`: no quiet time.
    pub end_hour: u8,
    /// Channels that wait (default: voice, SMS, messengers and push; email does not wait).
    pub channels: Vec<Channel>,
}

impl Default for QuietHours {
    fn default() -> Self {
        QuietHours {
            start_hour: 21,
            end_hour: 9,
            channels: vec![
                Channel::Voice,
                Channel::Sms,
                Channel::Whatsapp,
                Channel::Telegram,
                Channel::Viber,
                Channel::Vk,
                Channel::Instagram,
                Channel::Facebook,
                Channel::Skype,
                Channel::AppPush,
                Channel::WebPush,
                Channel::Chatbot,
            ],
        }
    }
}

/// How channel preference is weighed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PreferenceConfig {
    /// A contact this many days old counts half as much as one today (default 90).
    pub half_life_days: f64,
    /// Weight of starting a conversation on a channel (default 2).
    pub start_weight: f64,
    /// Weight of answering on a channel (default 1), times the speed factor.
    pub reply_weight: f64,
    /// Weight of any other inbound message (default 0.5).
    pub other_weight: f64,
    /// An answer within this many seconds counts 1.5 times (default 3600); one after a day
    /// counts half.
    pub fast_reply_secs: i64,
    /// How much a channel's cost counts against its preference share when routing: the
    /// score is `share - cost_weight * cost / highest cost` (default 0.1).
    pub cost_weight: f64,
}

impl Default for PreferenceConfig {
    fn default() -> Self {
        PreferenceConfig {
            half_life_days: 90.0,
            start_weight: 2.0,
            reply_weight: 1.0,
            other_weight: 0.5,
            fast_reply_secs: 3600,
            cost_weight: 0.1,
        }
    }
}

/// When identifiers stop being worth a message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReachabilityConfig {
    /// A web-push subscription without a delivery or a visit for this many days is stale
    /// (default 60).
    pub web_push_stale_days: i64,
    /// An app-push token without one for this many days is stale (default 180).
    pub app_push_stale_days: i64,
}

impl Default for ReachabilityConfig {
    fn default() -> Self {
        ReachabilityConfig {
            web_push_stale_days: 60,
            app_push_stale_days: 180,
        }
    }
}

/// Reads a UTC offset `+05:00`, `-03:30`, `+5`, `UTC+3` or `Z` into seconds east of UTC.
pub(crate) fn parse_offset(text: &str) -> Option<i32> {
    let t = text.trim();
    let t = t
        .strip_prefix("UTC")
        .or_else(|| t.strip_prefix("GMT"))
        .unwrap_or(t);
    if t.is_empty() || t == "Z" {
        return Some(0);
    }
    let (sign, rest) = match t.as_bytes()[0] {
        b'+' => (1, &t[1..]),
        b'-' => (-1, &t[1..]),
        _ => return None,
    };
    let (h, m) = match rest.split_once(':') {
        Some((h, m)) => (h.parse::<i32>().ok()?, m.parse::<i32>().ok()?),
        None if rest.len() == 4 => (rest[..2].parse().ok()?, rest[2..].parse().ok()?),
        None => (rest.parse().ok()?, 0),
    };
    if h > 14 || m > 59 || h < 0 || m < 0 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60))
}
