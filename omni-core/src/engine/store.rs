//! The engine's stored messages with their verdicts: two dense vectors (messages, leads) and a
//! hash index by message id that holds positions only, so every id is kept once and a batch
//! moves in without copying or rehashing a map of half-empty buckets.

use super::Lead;
use crate::message::Message;
use hashbrown::HashTable;
use serde::Serialize;
use std::hash::BuildHasher;

/// A stored message and its verdict, borrowed.
#[derive(Clone, Copy, Debug, Serialize)]
pub(crate) struct StoredRef<'a> {
    pub message: &'a Message,
    pub lead: &'a Lead,
}

/// A stored message and its verdict, borrowed to change.
pub(crate) struct StoredMut<'a> {
    pub message: &'a mut Message,
    pub lead: &'a mut Lead,
}

/// Messages by id, in insertion order (removals move the last one into the gap).
#[derive(Clone, Debug, Default)]
pub(crate) struct MessageStore {
    messages: Vec<Message>,
    leads: Vec<Lead>,
    index: HashTable<u32>,
}

fn hash_id(id: &str) -> u64 {
    rustc_hash::FxBuildHasher.hash_one(id)
}

impl MessageStore {
    /// A store of `messages` with their `leads` (same length, ids distinct: the batch path
    /// keeps the last of repeated ids before it gets here).
    pub fn from_vecs(messages: Vec<Message>, leads: Vec<Lead>) -> MessageStore {
        debug_assert_eq!(messages.len(), leads.len());
        let mut store = MessageStore {
            index: HashTable::with_capacity(messages.len()),
            messages,
            leads,
        };
        for (i, m) in store.messages.iter().enumerate() {
            let h = hash_id(&m.id);
            let messages = &store.messages;
            match store.index.entry(
                h,
                |&j| messages[j as usize].id == m.id,
                |&j| hash_id(&messages[j as usize].id),
            ) {
                hashbrown::hash_table::Entry::Occupied(mut e) => *e.get_mut() = i as u32,
                hashbrown::hash_table::Entry::Vacant(e) => {
                    e.insert(i as u32);
                }
            }
        }
        store
    }

    /// An empty store with room for `n` messages where the memory is there (`n` may come
    /// from untrusted bytes: a failed reservation leaves the store to grow as it goes).
    pub fn with_capacity(n: usize) -> MessageStore {
        let mut store = MessageStore::default();
        let n = n.min(1 << 24);
        if store.messages.try_reserve_exact(n).is_err()
            || store.leads.try_reserve_exact(n).is_err()
            || store.index.try_reserve(n, |_| 0).is_err()
        {
            return MessageStore::default();
        }
        store
    }

    fn position(&self, id: &str) -> Option<usize> {
        self.index
            .find(hash_id(id), |&j| self.messages[j as usize].id == id)
            .map(|&j| j as usize)
    }

    /// How many messages.
    pub fn len(&self) -> usize {
        self.messages.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    /// The message `id` with its verdict.
    pub fn get(&self, id: &str) -> Option<StoredRef<'_>> {
        self.position(id).map(|i| StoredRef {
            message: &self.messages[i],
            lead: &self.leads[i],
        })
    }

    /// The message `id` with its verdict, to change (not its id).
    pub fn get_mut(&mut self, id: &str) -> Option<StoredMut<'_>> {
        self.position(id).map(|i| StoredMut {
            message: &mut self.messages[i],
            lead: &mut self.leads[i],
        })
    }

    /// Stores a message with its verdict; returns the one it replaces (same id).
    pub fn insert(&mut self, message: Message, lead: Lead) -> Option<(Message, Lead)> {
        if let Some(i) = self.position(&message.id) {
            let old_message = std::mem::replace(&mut self.messages[i], message);
            let old_lead = std::mem::replace(&mut self.leads[i], lead);
            return Some((old_message, old_lead));
        }
        let i = self.messages.len() as u32;
        let messages = &self.messages;
        self.index.insert_unique(hash_id(&message.id), i, |&j| {
            hash_id(&messages[j as usize].id)
        });
        self.messages.push(message);
        self.leads.push(lead);
        None
    }

    /// Removes message `id`.
    pub fn remove(&mut self, id: &str) -> Option<(Message, Lead)> {
        let i = self.position(id)?;
        let messages = &self.messages;
        if let Ok(e) = self
            .index
            .find_entry(hash_id(id), |&j| messages[j as usize].id == id)
        {
            e.remove();
        }
        let last = self.messages.len() - 1;
        if i != last {
            // The last message moves to `i`: point its index entry there.
            let last_id = &self.messages[last].id;
            if let Some(j) = self
                .index
                .find_mut(hash_id(last_id), |&j| j as usize == last)
            {
                *j = i as u32;
            }
        }
        let message = self.messages.swap_remove(i);
        let lead = self.leads.swap_remove(i);
        Some((message, lead))
    }

    /// Every message with its verdict, in storage order.
    pub fn values(&self) -> impl Iterator<Item = StoredRef<'_>> {
        self.messages
            .iter()
            .zip(&self.leads)
            .map(|(message, lead)| StoredRef { message, lead })
    }

    /// Gives back memory a removal freed.
    pub fn shrink_to_fit(&mut self) {
        self.messages.shrink_to_fit();
        self.leads.shrink_to_fit();
        let messages = &self.messages;
        self.index
            .shrink_to_fit(|&j| hash_id(&messages[j as usize].id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::{Intent, Kind, Temperature};

    fn message(id: &str) -> Message {
        Message::from_json(&format!(
            r#"{{"id":"{id}","channel":"sms","direction":"inbound","timestamp":"2024-05-01T10:00:00Z","text":"{id}"}}"#
        ))
        .unwrap()
    }

    fn lead(id: &str, score: u8) -> Lead {
        Lead {
            message_id: id.into(),
            kind: Kind::Support,
            intents: vec![Intent::Other],
            score,
            temperature: Temperature::Cold,
            opt_out_channel: None,
            sales_opportunity: false,
            known_customer: false,
        }
    }

    #[test]
    fn insert_replace_remove_keep_the_index_true() {
        let mut s = MessageStore::default();
        for i in 0..100 {
            let id = format!("m-{i}");
            assert!(s.insert(message(&id), lead(&id, 1)).is_none());
        }
        let (_, old) = s.insert(message("m-7"), lead("m-7", 9)).unwrap();
        assert_eq!(old.score, 1);
        assert_eq!(s.get("m-7").unwrap().lead.score, 9);
        for i in (0..100).step_by(3) {
            let id = format!("m-{i}");
            assert_eq!(s.remove(&id).unwrap().0.id, id);
            assert!(s.remove(&id).is_none());
        }
        s.shrink_to_fit();
        for i in 0..100 {
            let id = format!("m-{i}");
            let got = s.get(&id);
            assert_eq!(got.is_some(), i % 3 != 0, "{id}");
            if let Some(g) = got {
                assert_eq!(g.message.id, id);
                assert_eq!(g.lead.message_id, id);
            }
        }
        assert_eq!(s.len(), 66);
        assert_eq!(s.values().count(), 66);
        s.get_mut("m-8").unwrap().lead.score = 42;
        assert_eq!(s.get("m-8").unwrap().lead.score, 42);
    }

    #[test]
    fn from_vecs_indexes_every_message() {
        let ids: Vec<String> = (0..50).map(|i| format!("b-{i}")).collect();
        let s = MessageStore::from_vecs(
            ids.iter().map(|i| message(i)).collect(),
            ids.iter().map(|i| lead(i, 0)).collect(),
        );
        assert_eq!(s.len(), 50);
        assert!(ids
            .iter()
            .all(|i| s.get(i).is_some_and(|g| &g.message.id == i)));
        assert!(s.get("nope").is_none());
    }
}
