//! Recognising provider retries: a bounded set of the event ids already seen.
//!
//! Providers deliver webhooks at least once: a slow answer makes WhatsApp, Telegram, Viber or
//! VK send the same event again. [`SeenEvents`] remembers the last `capacity` event ids per
//! provider and drops what it has seen. It is a plain value: keep one per account (one bot,
//! one WhatsApp number), and save it with serde between runs.

use super::{ParsedPayload, Provider};
use serde::{Deserialize, Serialize};
use std::collections::{HashSet, VecDeque};

/// The event ids seen most recently, at most `capacity` of them (the oldest are forgotten
/// first).
///
/// Serialises as `{"capacity": 10000, "seen": [["telegram", "1001"], ...]}`, oldest first.
///
/// # Example
/// ```
/// use omni_core::adapt::{parse_payload, Provider, SeenEvents};
///
/// let body = r#"{"update_id": 1001, "message": {"message_id": 7, "date": 1714546800,
///   "chat": {"id": 42, "type": "private"}, "from": {"id": 42, "is_bot": false, "first_name": "Anna"},
///   "text": "Добрый день"}}"#.as_bytes();
/// let mut seen = SeenEvents::new(10_000);
/// let mut first = parse_payload(Provider::Telegram, body).unwrap();
/// assert!(seen.remove_duplicates(&mut first).is_empty());
/// let mut retry = parse_payload(Provider::Telegram, body).unwrap();
/// assert_eq!(seen.remove_duplicates(&mut retry), ["1001"]);
/// assert!(retry.messages.is_empty());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "SeenEventsJson", into = "SeenEventsJson")]
pub struct SeenEvents {
    capacity: usize,
    order: VecDeque<(Provider, String)>,
    set: HashSet<(Provider, String)>,
}

#[derive(Serialize, Deserialize)]
struct SeenEventsJson {
    capacity: usize,
    seen: Vec<(Provider, String)>,
}

impl From<SeenEventsJson> for SeenEvents {
    fn from(j: SeenEventsJson) -> Self {
        let mut s = SeenEvents::new(j.capacity);
        for (provider, id) in j.seen {
            s.insert(provider, &id);
        }
        s
    }
}

impl From<SeenEvents> for SeenEventsJson {
    fn from(s: SeenEvents) -> Self {
        SeenEventsJson {
            capacity: s.capacity,
            seen: s.order.into_iter().collect(),
        }
    }
}

impl SeenEvents {
    /// An empty set remembering at most `capacity` event ids (at least 1).
    pub fn new(capacity: usize) -> Self {
        SeenEvents {
            capacity: capacity.max(1),
            order: VecDeque::new(),
            set: HashSet::new(),
        }
    }

    /// How many event ids it remembers at most.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many event ids it remembers now.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// True when it remembers nothing.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Whether this event id was seen (and is still remembered).
    pub fn contains(&self, provider: Provider, event_id: &str) -> bool {
        self.set.contains(&(provider, event_id.to_string()))
    }

    /// Records an event id; true when it is new, false for a duplicate.
    pub fn insert(&mut self, provider: Provider, event_id: &str) -> bool {
        let key = (provider, event_id.to_string());
        if self.set.contains(&key) {
            return false;
        }
        if self.order.len() >= self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.set.remove(&old);
            }
        }
        self.order.push_back(key.clone());
        self.set.insert(key);
        true
    }

    /// Removes from `payload` every message and event whose event id was seen in an earlier
    /// payload, records the new ids, and returns the duplicate ids (each once, in payload
    /// order). Items of one payload that share an event id (a Twilio STOP is a message and a
    /// consent change) are kept or dropped together; items without an event id (a VK
    /// confirmation request) are always kept.
    pub fn remove_duplicates(&mut self, payload: &mut ParsedPayload) -> Vec<String> {
        let provider = payload.provider;
        let mut ids: Vec<&str> = Vec::new();
        for m in &payload.messages {
            if let Some(id) = m.event_id.as_deref() {
                ids.push(id);
            }
        }
        for e in &payload.events {
            if let Some(id) = e.event_id() {
                ids.push(id);
            }
        }
        let mut unique: Vec<String> = Vec::new();
        let mut in_payload = HashSet::new();
        for id in ids {
            if in_payload.insert(id) {
                unique.push(id.to_string());
            }
        }
        let duplicates: Vec<String> = unique
            .iter()
            .filter(|id| self.contains(provider, id))
            .cloned()
            .collect();
        for id in &unique {
            self.insert(provider, id);
        }
        if !duplicates.is_empty() {
            let dup: HashSet<&str> = duplicates.iter().map(String::as_str).collect();
            payload
                .messages
                .retain(|m| m.event_id.as_deref().map_or(true, |id| !dup.contains(id)));
            payload
                .events
                .retain(|e| e.event_id().map_or(true, |id| !dup.contains(id)));
        }
        duplicates
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forgets_the_oldest_beyond_capacity() {
        let mut s = SeenEvents::new(2);
        assert!(s.insert(Provider::Vk, "a"));
        assert!(s.insert(Provider::Vk, "b"));
        assert!(!s.insert(Provider::Vk, "a"));
        assert!(s.insert(Provider::Vk, "c"));
        assert!(!s.contains(Provider::Vk, "a"));
        assert!(s.contains(Provider::Vk, "c"));
        assert_eq!(s.len(), 2);
    }

    #[test]
    fn the_same_id_from_two_providers_is_two_events() {
        let mut s = SeenEvents::new(10);
        assert!(s.insert(Provider::Telegram, "1001"));
        assert!(s.insert(Provider::Vk, "1001"));
    }

    #[test]
    fn round_trips_through_json_keeping_the_order() {
        let mut s = SeenEvents::new(3);
        for id in ["1", "2", "3", "4"] {
            s.insert(Provider::Telegram, id);
        }
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(
            json,
            r#"{"capacity":3,"seen":[["telegram","2"],["telegram","3"],["telegram","4"]]}"#
        );
        let mut back: SeenEvents = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
        back.insert(Provider::Telegram, "5");
        assert!(!back.contains(Provider::Telegram, "2"));
    }
}
