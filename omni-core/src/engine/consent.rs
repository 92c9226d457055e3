//! The consent ledger: per customer, channel and purpose, every opt-in and opt-out with its
//! time, source and basis, and the status they add up to under the jurisdiction's policy.
//!
//! Entries are kept on the record that brought them (a message, a provider consent event, a
//! manual change), so they follow the customer through merges and splits. How entries add up,
//! per channel and purpose:
//! 1. entries are grouped by the address they concern (a phone, an email; none: the whole
//!    channel); within a group the latest wins (an opt-out on a tie);
//! 2. any group whose latest is an opt-out makes the channel opted out: when customers merge,
//!    an opt-out of either side wins over the other's opt-in, and every entry stays listed;
//! 3. otherwise any opt-in makes it opted in;
//! 4. otherwise the policy decides: channels that need an explicit opt-in for the purpose are
//!    `no_consent`, others `implicit`.

use super::config::ConsentPolicy;
use crate::classify::Kind;
use crate::message::{Channel, Direction, Identifier, IdentifierKind, Message};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a message may be for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Offers, newsletters, promotions.
    Marketing,
    /// Service messages: order status, appointments, answers.
    Transactional,
}

impl Purpose {
    /// Both purposes.
    pub const ALL: &'static [Purpose] = &[Purpose::Marketing, Purpose::Transactional];

    /// The snake_case name.
    pub const fn name(self) -> &'static str {
        match self {
            Purpose::Marketing => "marketing",
            Purpose::Transactional => "transactional",
        }
    }

    /// The purpose with this name.
    pub fn from_name(name: &str) -> Option<Purpose> {
        Self::ALL.iter().copied().find(|p| p.name() == name.trim())
    }
}

/// Opted in or out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentAction {
    /// Agreed to receive messages.
    OptIn,
    /// Refused messages.
    OptOut,
}

/// One ledger entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentEntry {
    /// The channel.
    pub channel: Channel,
    /// The purpose.
    pub purpose: Purpose,
    /// Opt-in or opt-out.
    pub action: ConsentAction,
    /// When.
    pub at: DateTime<Utc>,
    /// The record that brought it: a message id, `consent:<event id>` for a provider event,
    /// `manual:<n>` for a change made through the API.
    pub source: String,
    /// Why it counts (`message classified as opt_out: "STOP"`, `provider: unsubscribed`,
    /// `web form field "Согласие на рассылку"`).
    pub basis: String,
    /// The address it concerns, when it concerns one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Identifier>,
}

/// Where a channel and purpose stand for a customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentStatus {
    /// An explicit opt-in stands.
    OptedIn,
    /// An opt-out stands.
    OptedOut,
    /// No entry; the policy allows messages without one.
    Implicit,
    /// No entry; the policy needs an explicit opt-in.
    NoConsent,
}

impl ConsentStatus {
    /// Whether a message may be sent.
    pub fn allows(self) -> bool {
        matches!(self, ConsentStatus::OptedIn | ConsentStatus::Implicit)
    }

    /// The snake_case name.
    pub const fn name(self) -> &'static str {
        match self {
            ConsentStatus::OptedIn => "opted_in",
            ConsentStatus::OptedOut => "opted_out",
            ConsentStatus::Implicit => "implicit",
            ConsentStatus::NoConsent => "no_consent",
        }
    }
}

/// A customer's consent for one channel and purpose, with the entries behind it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelConsent {
    /// The channel.
    pub channel: Channel,
    /// The purpose.
    pub purpose: Purpose,
    /// Where it stands.
    pub status: ConsentStatus,
    /// The entry that decided it, when one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<ConsentEntry>,
    /// Why, in words.
    pub reason: String,
    /// Every entry for this channel and purpose, oldest first.
    pub entries: Vec<ConsentEntry>,
}

/// The status of one channel and purpose from its entries (any order) under `policy`.
pub(crate) fn fold(
    channel: &Channel,
    purpose: Purpose,
    entries: &[&ConsentEntry],
    policy: &ConsentPolicy,
    jurisdiction: &str,
) -> ChannelConsent {
    let mut list: Vec<ConsentEntry> = entries
        .iter()
        .filter(|e| &e.channel == channel && e.purpose == purpose)
        .map(|e| (*e).clone())
        .collect();
    list.sort_by(|a, b| {
        (a.at, &a.source, a.action == ConsentAction::OptIn).cmp(&(
            b.at,
            &b.source,
            b.action == ConsentAction::OptIn,
        ))
    });
    // Latest per address (an opt-out wins a tie: it sorts last among equal times).
    let mut latest: Vec<&ConsentEntry> = Vec::new();
    for e in list.iter() {
        match latest.iter_mut().find(|l| l.address == e.address) {
            Some(l) => {
                if (e.at, e.action == ConsentAction::OptOut)
                    >= (l.at, l.action == ConsentAction::OptOut)
                {
                    *l = e;
                }
            }
            None => latest.push(e),
        }
    }
    let out = latest
        .iter()
        .filter(|e| e.action == ConsentAction::OptOut)
        .max_by_key(|e| e.at)
        .copied();
    let inn = latest
        .iter()
        .filter(|e| e.action == ConsentAction::OptIn)
        .max_by_key(|e| e.at)
        .copied();
    let needs = match purpose {
        Purpose::Marketing => policy.marketing_opt_in.contains(channel),
        Purpose::Transactional => policy.transactional_opt_in.contains(channel),
    };
    let (status, decided_by, reason) = if let Some(e) = out {
        (
            ConsentStatus::OptedOut,
            Some(e.clone()),
            format!(
                "opted out {} ({}, {})",
                e.at.format("%Y-%m-%d"),
                e.basis,
                e.source
            ),
        )
    } else if let Some(e) = inn {
        (
            ConsentStatus::OptedIn,
            Some(e.clone()),
            format!(
                "opted in {} ({}, {})",
                e.at.format("%Y-%m-%d"),
                e.basis,
                e.source
            ),
        )
    } else if needs {
        (
            ConsentStatus::NoConsent,
            None,
            format!(
                "{} {} needs an explicit opt-in in {jurisdiction}; none recorded",
                purpose.name(),
                channel.name()
            ),
        )
    } else {
        (
            ConsentStatus::Implicit,
            None,
            format!(
                "no opt-out recorded; {} {} needs no explicit opt-in in {jurisdiction}",
                purpose.name(),
                channel.name()
            ),
        )
    };
    ChannelConsent {
        channel: channel.clone(),
        purpose,
        status,
        decided_by,
        reason,
        entries: list,
    }
}

/// Form field names that record a consent to receive offers.
pub(super) fn is_consent_field(name: &str) -> bool {
    let n = name.to_lowercase();
    [
        "согласи",
        "consent",
        "subscribe",
        "подпис",
        "рассылк",
        "newsletter",
        "opt_in",
        "optin",
    ]
    .iter()
    .any(|w| n.contains(w))
}

fn is_yes(value: &str) -> bool {
    let v = value.trim().to_lowercase();
    matches!(
        v.as_str(),
        "1" | "true" | "yes" | "on" | "да" | "y" | "checked" | "согласен" | "согласна" | "✓"
    )
}

/// The customer's address on `channel` in `message`, if the message carries one.
fn address_on(message: &Message, channel: &Channel) -> Option<Identifier> {
    let kinds = channel.properties().identifiers;
    let party = message.customer();
    kinds
        .iter()
        .find_map(|k| party.identifiers.iter().find(|i| i.kind == *k))
        .cloned()
}

/// The ledger entries a message brings: an opt-out found by classification (revoking
/// marketing on the channel it names), and an opt-in ticked in a web form (marketing on email
/// and SMS, for the addresses the form gave).
pub(crate) fn entries_from_message(
    message: &Message,
    kind: Kind,
    opt_out_channel: Option<&Channel>,
    form_addresses: &[Identifier],
) -> Vec<ConsentEntry> {
    let mut out = Vec::new();
    if message.direction != Direction::Inbound {
        return out;
    }
    if kind == Kind::OptOut {
        let channel = opt_out_channel
            .cloned()
            .unwrap_or_else(|| message.channel.clone());
        let snippet: String = message.text.chars().take(60).collect();
        out.push(ConsentEntry {
            address: address_on(message, &channel),
            channel,
            purpose: Purpose::Marketing,
            action: ConsentAction::OptOut,
            at: message.timestamp,
            source: message.id.clone(),
            basis: format!("message classified as opt_out: {snippet:?}"),
        });
    }
    for (name, value) in &message.form_fields {
        if is_consent_field(name) && is_yes(value) {
            for (channel, kind) in [
                (Channel::Email, IdentifierKind::Email),
                (Channel::Sms, IdentifierKind::Phone),
            ] {
                for address in form_addresses.iter().filter(|a| a.kind == kind) {
                    out.push(ConsentEntry {
                        channel: channel.clone(),
                        purpose: Purpose::Marketing,
                        action: ConsentAction::OptIn,
                        at: message.timestamp,
                        source: message.id.clone(),
                        basis: format!("web form field {name:?} = {value:?}"),
                        address: Some(address.clone()),
                    });
                }
            }
        }
    }
    out
}
