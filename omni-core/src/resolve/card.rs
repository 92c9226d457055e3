//! Customer cards: one view of everything a customer's records say, with provenance for every
//! identity and survivorship rules that pick the golden name, city, company and other fields.

use crate::message::Channel;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How a card picks one value for a field among its records' values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SurvivorshipRule {
    /// The value most records give (equal spellings after normalisation count together);
    /// ties go to the most recent.
    MostFrequent,
    /// The value of the most recent record that has one.
    MostRecent,
    /// The value from the first channel in this list that has one (most recent within it);
    /// other channels after them, most recent first.
    SourcePriority(Vec<Channel>),
}

/// Survivorship rules per field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Survivorship {
    /// The customer's name (default: most frequent).
    pub name: SurvivorshipRule,
    /// City (default: most recent).
    pub city: SurvivorshipRule,
    /// Company (default: most recent).
    pub company: SurvivorshipRule,
    /// Birthday (default: most frequent).
    pub birthday: SurvivorshipRule,
    /// Address (default: most recent).
    pub address: SurvivorshipRule,
    /// Further fields by name (default: most recent).
    pub fields: BTreeMap<String, SurvivorshipRule>,
}

impl Default for Survivorship {
    fn default() -> Self {
        Survivorship {
            name: SurvivorshipRule::MostFrequent,
            city: SurvivorshipRule::MostRecent,
            company: SurvivorshipRule::MostRecent,
            birthday: SurvivorshipRule::MostFrequent,
            address: SurvivorshipRule::MostRecent,
            fields: BTreeMap::new(),
        }
    }
}

/// Where a value or identity was seen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// The record.
    pub record_id: String,
    /// The record's channel, when known.
    pub channel: Option<Channel>,
    /// The record's time, when known.
    #[serde(with = "crate::message::optional_timestamp")]
    pub seen_at: Option<DateTime<Utc>>,
}

/// One identifier of a customer and every record it came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// The identifier kind (`phone`, `email`, `telegram_username`, `fields.tax_id`).
    pub kind: String,
    /// The normalised value (`+79123456789`, `ivanpetrov@gmail.com`).
    pub value: String,
    /// Whether other people use it too (a switchboard, `info@`): it does not link by itself.
    pub shared: bool,
    /// The records it came from, oldest first.
    pub seen: Vec<Provenance>,
}

/// Use of one channel by a customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelUse {
    /// The channel.
    pub channel: Channel,
    /// How many of the customer's records came from it.
    pub records: usize,
    /// The first record's time on it.
    #[serde(with = "crate::message::optional_timestamp")]
    pub first_seen: Option<DateTime<Utc>>,
    /// The last record's time on it.
    #[serde(with = "crate::message::optional_timestamp")]
    pub last_seen: Option<DateTime<Utc>>,
}

/// A problem with one of the customer's records (a malformed phone, a placeholder email).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordProblem {
    /// The record.
    pub record_id: String,
    /// What was wrong, with the field path (`phones[1]: "12" is too short`).
    pub problem: String,
}

/// Two records that share an identifier but were not merged because the rest of the evidence
/// contradicts it; for a person to review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    /// One record (of this customer).
    pub record_id: String,
    /// The other record.
    pub other_record_id: String,
    /// The other record's customer.
    pub other_customer_id: String,
    /// Why they were not merged.
    pub reason: String,
}

/// Everything known about one customer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerCard {
    /// The customer's id.
    pub customer_id: String,
    /// Former ids of customers merged into this one; each still resolves to it.
    pub aliases: Vec<String>,
    /// The golden name, by the survivorship rule.
    pub name: Option<String>,
    /// The golden city.
    pub city: Option<String>,
    /// The golden company.
    pub company: Option<String>,
    /// The golden birthday (ISO 8601 date).
    pub birthday: Option<String>,
    /// The golden address.
    pub address: Option<String>,
    /// Golden values of further fields.
    pub fields: BTreeMap<String, String>,
    /// Every identifier, with the records it came from.
    pub identities: Vec<Identity>,
    /// The customer's records, oldest first.
    pub records: Vec<Provenance>,
    /// The first record's time.
    #[serde(with = "crate::message::optional_timestamp")]
    pub first_seen: Option<DateTime<Utc>>,
    /// The last record's time.
    #[serde(with = "crate::message::optional_timestamp")]
    pub last_seen: Option<DateTime<Utc>>,
    /// Channels used, most records first.
    pub channels: Vec<ChannelUse>,
    /// What could not be used in the records.
    pub problems: Vec<RecordProblem>,
    /// Records of other customers that share an identifier with this one but were kept apart.
    pub conflicts: Vec<Conflict>,
}

/// One candidate value for a golden field: its comparison key, its display form, and where it
/// came from.
pub(crate) struct Candidate<'a> {
    pub key: String,
    pub display: &'a str,
    pub channel: Option<&'a Channel>,
    pub seen_at: Option<DateTime<Utc>>,
    /// Position among the records in a fixed order (ties after time).
    pub order: usize,
}

/// When a candidate was seen, for recency: its time, then its position.
type Recency = (Option<DateTime<Utc>>, usize);

/// Picks a golden value by `rule`. Deterministic: ties are broken by time, then record order.
pub(crate) fn survive(rule: &SurvivorshipRule, candidates: &[Candidate<'_>]) -> Option<String> {
    let recency = |c: &Candidate<'_>| (c.seen_at, c.order);
    let most_recent = |cs: &mut dyn Iterator<Item = &Candidate<'_>>| {
        cs.max_by_key(|c| recency(c)).map(|c| c.display.to_string())
    };
    match rule {
        SurvivorshipRule::MostRecent => most_recent(&mut candidates.iter()),
        SurvivorshipRule::MostFrequent => {
            let mut counts: BTreeMap<&str, (usize, Recency)> = BTreeMap::new();
            for c in candidates {
                let e = counts.entry(&c.key).or_insert((0, recency(c)));
                e.0 += 1;
                e.1 = e.1.max(recency(c));
            }
            let (best, _) = counts.iter().max_by_key(|(_, &(n, r))| (n, r))?;
            most_recent(&mut candidates.iter().filter(|c| c.key == *best))
        }
        SurvivorshipRule::SourcePriority(order) => {
            for channel in order {
                let found =
                    most_recent(&mut candidates.iter().filter(|c| c.channel == Some(channel)));
                if found.is_some() {
                    return found;
                }
            }
            most_recent(&mut candidates.iter())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32) -> Option<DateTime<Utc>> {
        Some(Utc.with_ymd_and_hms(2024, 5, day, 0, 0, 0).unwrap())
    }

    #[test]
    fn each_rule_picks_its_value() {
        let crm = Channel::Other("crm".into());
        let c =
            |key: &str, display: &'static str, channel: &'static Channel, day, order| Candidate {
                key: key.into(),
                display,
                channel: Some(channel),
                seen_at: at(day),
                order,
            };
        static WA: Channel = Channel::Whatsapp;
        static FORM: Channel = Channel::WebForm;
        let crm: &'static Channel = Box::leak(Box::new(crm));
        let cands = [
            c("иван петров", "Иван Петров", crm, 1, 0),
            c("иван петров", "иван петров", &FORM, 2, 1),
            c("ivan p", "Ivan P", &WA, 9, 2),
        ];
        assert_eq!(
            survive(&SurvivorshipRule::MostFrequent, &cands).as_deref(),
            Some("иван петров")
        );
        assert_eq!(
            survive(&SurvivorshipRule::MostRecent, &cands).as_deref(),
            Some("Ivan P")
        );
        assert_eq!(
            survive(&SurvivorshipRule::SourcePriority(vec![crm.clone()]), &cands).as_deref(),
            Some("Иван Петров")
        );
        assert_eq!(survive(&SurvivorshipRule::MostRecent, &[]), None);
    }

    #[test]
    fn rules_read_from_json() {
        let s: Survivorship = serde_json::from_str(
            r#"{"name": {"source_priority": ["crm", "web_form"]}, "city": "most_frequent"}"#,
        )
        .unwrap();
        assert_eq!(
            s.name,
            SurvivorshipRule::SourcePriority(vec![Channel::Other("crm".into()), Channel::WebForm])
        );
        assert_eq!(s.city, SurvivorshipRule::MostFrequent);
        assert_eq!(s.company, SurvivorshipRule::MostRecent);
    }
}
