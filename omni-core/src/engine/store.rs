//! The engine's stored messages with their verdicts, held compactly.
//!
//! A parsed [`Message`] takes about 1.6 KB (many `String`s, `BTreeMap`s of strings and JSON
//! values); stored, it is one boxed byte string: its id (a varint length, then the UTF-8
//! bytes), then the message with an empty id in the data form of the snapshot codec
//! ([`crate::codec::encode_with`]), its struct field names numbered in one [`NameTable`] that
//! the store keeps. A message is decoded when a query needs it. What the engine reads often
//! without the rest is kept beside it in columns: the time and the verdict ([`StoredLead`],
//! without the message id a [`Lead`] repeats). A hash index by id holds positions only.
//!
//! A removed message's bytes are zeroed before they are freed, and a snapshot writes only the
//! stored messages, so nothing of an erased customer survives in a later snapshot.

use super::Lead;
use crate::classify::{Intent, Kind, Temperature};
use crate::codec::{self, NameTable};
use crate::message::{Channel, Message};
use chrono::{DateTime, Utc};
use hashbrown::HashTable;
use std::hash::BuildHasher;

/// A message's verdict as stored: a [`Lead`] without its message id, its intents packed.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct StoredLead {
    /// What it is.
    pub kind: Kind,
    /// 0 to 100.
    pub score: u8,
    /// Hot, warm or cold.
    pub temperature: Temperature,
    /// A sale is possible.
    pub sales_opportunity: bool,
    /// The sender was a known customer.
    pub known_customer: bool,
    intents: Intents,
    opt_out_channel: Option<Box<Channel>>,
}

/// A list of intents: up to 16 packed in four bits each (position in [`Intent::ALL`] plus
/// one; zero ends the list), or any longer list as it is.
#[derive(Clone, Debug, PartialEq)]
enum Intents {
    Packed(u64),
    Listed(Box<[Intent]>),
}

fn intent_code(i: Intent) -> u64 {
    Intent::ALL.iter().position(|&a| a == i).unwrap_or(0) as u64 + 1
}

impl Intents {
    fn new(list: &[Intent]) -> Intents {
        if list.len() > 16 {
            return Intents::Listed(list.into());
        }
        Intents::Packed(
            list.iter()
                .enumerate()
                .fold(0, |acc, (k, &i)| acc | intent_code(i) << (4 * k)),
        )
    }

    fn to_vec(&self) -> Vec<Intent> {
        match self {
            Intents::Listed(l) => l.to_vec(),
            Intents::Packed(bits) => (0..16)
                .map(|k| (bits >> (4 * k)) & 0xF)
                .take_while(|&c| c != 0)
                .map(|c| Intent::ALL[c as usize - 1])
                .collect(),
        }
    }
}

impl StoredLead {
    /// The stored form of `lead` (its message id is the stored message's).
    pub fn new(lead: Lead) -> StoredLead {
        StoredLead {
            kind: lead.kind,
            score: lead.score,
            temperature: lead.temperature,
            sales_opportunity: lead.sales_opportunity,
            known_customer: lead.known_customer,
            intents: Intents::new(&lead.intents),
            opt_out_channel: lead.opt_out_channel.map(Box::new),
        }
    }

    /// The lead of message `id`.
    pub fn to_lead(&self, id: &str) -> Lead {
        Lead {
            message_id: id.to_string(),
            kind: self.kind,
            intents: self.intents.to_vec(),
            score: self.score,
            temperature: self.temperature,
            opt_out_channel: self.opt_out_channel.as_deref().cloned(),
            sales_opportunity: self.sales_opportunity,
            known_customer: self.known_customer,
        }
    }

    /// Appends the snapshot form: kind, score, temperature, flags (1 a sale is possible,
    /// 2 known customer, 4 an opt-out channel follows), the intents (a varint count, then
    /// each as its position in [`Intent::ALL`]), then the channel's name (varint length,
    /// UTF-8) when flag 4 is set.
    fn write(&self, out: &mut Vec<u8>) {
        let pos = |all: &[Kind], k: Kind| all.iter().position(|&a| a == k).unwrap_or(0) as u8;
        out.push(pos(Kind::ALL, self.kind));
        out.push(self.score);
        out.push(
            Temperature::ALL
                .iter()
                .position(|&t| t == self.temperature)
                .unwrap_or(0) as u8,
        );
        out.push(
            u8::from(self.sales_opportunity)
                | u8::from(self.known_customer) << 1
                | u8::from(self.opt_out_channel.is_some()) << 2,
        );
        let intents = self.intents.to_vec();
        codec::put_varint(out, intents.len() as u64);
        out.extend(intents.iter().map(|&i| intent_code(i) as u8 - 1));
        if let Some(c) = &self.opt_out_channel {
            codec::put_varint(out, c.name().len() as u64);
            out.extend_from_slice(c.name().as_bytes());
        }
    }

    /// Reads what [`StoredLead::write`] wrote.
    fn read(input: &mut codec::Input<'_>) -> Result<StoredLead, String> {
        let short = |_| "a stored lead is cut short".to_string();
        let kind = *Kind::ALL
            .get(input.byte().map_err(short)? as usize)
            .ok_or("a stored lead has an unknown kind")?;
        let score = input.byte().map_err(short)?;
        let temperature = *Temperature::ALL
            .get(input.byte().map_err(short)? as usize)
            .ok_or("a stored lead has an unknown temperature")?;
        let flags = input.byte().map_err(short)?;
        if flags > 7 {
            return Err("a stored lead has unknown flags".into());
        }
        let n = input.varint().map_err(short)?;
        if n > input.left() as u64 {
            return Err("a stored lead is cut short".into());
        }
        let intents = input
            .take(n as usize)
            .map_err(short)?
            .iter()
            .map(|&b| Intent::ALL.get(b as usize).copied())
            .collect::<Option<Vec<Intent>>>()
            .ok_or("a stored lead has an unknown intent")?;
        let opt_out_channel = if flags & 4 != 0 {
            let n = input.varint().map_err(short)?;
            if n > input.left() as u64 {
                return Err("a stored lead is cut short".into());
            }
            let name = std::str::from_utf8(input.take(n as usize).map_err(short)?)
                .map_err(|_| "a stored lead's channel is not UTF-8")?;
            Some(Box::new(Channel::from_name(name)))
        } else {
            None
        };
        Ok(StoredLead {
            kind,
            score,
            temperature,
            sales_opportunity: flags & 1 != 0,
            known_customer: flags & 2 != 0,
            intents: Intents::new(&intents),
            opt_out_channel,
        })
    }
}

/// A stored message with its verdict, borrowed (the message itself is decoded on demand).
#[derive(Clone, Copy)]
pub(crate) struct StoredRef<'a> {
    store: &'a MessageStore,
    i: usize,
}

impl<'a> StoredRef<'a> {
    /// The message id.
    pub fn id(&self) -> &'a str {
        split_record(&self.store.records[self.i]).0
    }

    /// The message time.
    pub fn time(&self) -> DateTime<Utc> {
        self.store.times[self.i]
    }

    /// The verdict.
    pub fn lead(&self) -> &'a StoredLead {
        &self.store.leads[self.i]
    }

    /// The message, decoded.
    pub fn message(&self) -> Message {
        decode_record(&self.store.names, &self.store.records[self.i])
            .expect("stored messages decode (checked when stored or restored)")
    }
}

/// Messages by id, in insertion order (removals move the last one into the gap).
#[derive(Clone, Debug, Default)]
pub(crate) struct MessageStore {
    /// Per message: varint id length, id, the message's codec data with an empty id.
    records: Vec<Box<[u8]>>,
    times: Vec<DateTime<Utc>>,
    leads: Vec<StoredLead>,
    names: NameTable,
    index: HashTable<u32>,
}

fn hash_id(id: &str) -> u64 {
    rustc_hash::FxBuildHasher.hash_one(id)
}

/// The id of a stored record.
pub(crate) fn record_id(record: &[u8]) -> &str {
    split_record(record).0
}

/// The id and the message data of a record (whose id was checked to be UTF-8 when stored).
fn split_record(record: &[u8]) -> (&str, &[u8]) {
    let mut input = codec::Input::new(record);
    let n = input.varint().unwrap_or(0) as usize;
    let start = record.len() - input.left();
    let end = (start + n).min(record.len());
    let id = std::str::from_utf8(&record[start..end]).unwrap_or_default();
    (id, &record[end..])
}

/// The record of `message`, built in `scratch`.
pub(crate) fn encode_record(
    names: &mut NameTable,
    scratch: &mut Vec<u8>,
    mut message: Message,
) -> Box<[u8]> {
    scratch.clear();
    let id = std::mem::take(&mut message.id);
    codec::put_varint(scratch, id.len() as u64);
    scratch.extend_from_slice(id.as_bytes());
    codec::encode_with(scratch, &message, names).expect("a message always serialises");
    Box::from(&scratch[..])
}

/// The record of `message` encoded against a fixed copy of a store's name table (away from
/// the store, outside the engine's lock), or `None` when the message has a name the copy does
/// not hold. The record is valid in the store the copy was cloned from (names are only added).
pub(crate) fn encode_record_fixed(names: &NameTable, message: &mut Message) -> Option<Box<[u8]>> {
    let mut out = Vec::with_capacity(256);
    let id = std::mem::take(&mut message.id);
    codec::put_varint(&mut out, id.len() as u64);
    out.extend_from_slice(id.as_bytes());
    let whole = codec::encode_with_fixed(&mut out, &*message, names);
    message.id = id;
    matches!(whole, Ok(true)).then(|| out.into_boxed_slice())
}

/// The message of a record.
pub(crate) fn decode_record(names: &NameTable, record: &[u8]) -> Result<Message, String> {
    let (id, data) = split_record(record);
    let mut m: Message = codec::decode_with(data, names).map_err(|e| e.to_string())?;
    if !m.id.is_empty() {
        return Err("a stored message has a second id".into());
    }
    m.id = id.to_string();
    Ok(m)
}

impl MessageStore {
    /// A store of messages in their stored form ([`encode_record`] with `names`), with their
    /// times and `leads` (same lengths, ids distinct: the batch path keeps the last of
    /// repeated ids before it gets here).
    pub fn from_records(
        names: NameTable,
        records: Vec<Box<[u8]>>,
        times: Vec<DateTime<Utc>>,
        leads: Vec<Lead>,
    ) -> MessageStore {
        debug_assert!(records.len() == times.len() && times.len() == leads.len());
        let mut store = MessageStore {
            names,
            times,
            leads: leads.into_iter().map(StoredLead::new).collect(),
            ..MessageStore::default()
        };
        store.index = HashTable::with_capacity(records.len());
        for (i, r) in records.iter().enumerate() {
            store
                .index
                .insert_unique(hash_id(record_id(r)), i as u32, |&j| {
                    hash_id(record_id(&records[j as usize]))
                });
        }
        store.records = records;
        store
    }

    fn reserve(&mut self, n: usize) {
        self.records.reserve_exact(n);
        self.times.reserve_exact(n);
        self.leads.reserve_exact(n);
        let records = &self.records;
        self.index
            .reserve(n, |&j| hash_id(split_record(&records[j as usize]).0));
    }

    /// Appends a message (or replaces the one of the same id); returns whether it replaced.
    fn push(&mut self, scratch: &mut Vec<u8>, message: Message, lead: Lead) -> bool {
        debug_assert_eq!(lead.message_id, message.id);
        let time = message.timestamp;
        let record = encode_record(&mut self.names, scratch, message);
        self.push_record(record, time, lead)
    }

    /// The name table of the stored records (a clone is what [`encode_record_fixed`] takes).
    pub fn names(&self) -> &NameTable {
        &self.names
    }

    /// As [`MessageStore::insert`] with the message's record built already by
    /// [`encode_record_fixed`] from a clone of this store's name table.
    pub fn insert_record(&mut self, record: Box<[u8]>, time: DateTime<Utc>, lead: Lead) -> bool {
        debug_assert!(decode_record(&self.names, &record).is_ok());
        self.push_record(record, time, lead)
    }

    fn push_record(&mut self, record: Box<[u8]>, time: DateTime<Utc>, lead: Lead) -> bool {
        let id = split_record(&record).0;
        debug_assert_eq!(lead.message_id, id);
        let hash = hash_id(id);
        let found = self.position_hashed(hash, id);
        let lead = StoredLead::new(lead);
        if let Some(i) = found {
            let mut old = std::mem::replace(&mut self.records[i], record);
            old.fill(0);
            self.times[i] = time;
            self.leads[i] = lead;
            return true;
        }
        let i = self.records.len() as u32;
        let records = &self.records;
        self.index
            .insert_unique(hash, i, |&j| hash_id(split_record(&records[j as usize]).0));
        self.records.push(record);
        self.times.push(time);
        self.leads.push(lead);
        false
    }

    fn position_hashed(&self, hash: u64, id: &str) -> Option<usize> {
        self.index
            .find(hash, |&j| split_record(&self.records[j as usize]).0 == id)
            .map(|&j| j as usize)
    }

    fn position(&self, id: &str) -> Option<usize> {
        self.position_hashed(hash_id(id), id)
    }

    /// The ids of the messages, in stored order (for a restored store, the order of the
    /// snapshot's messages part).
    pub(crate) fn ids(&self) -> impl Iterator<Item = &str> + '_ {
        self.records.iter().map(|r| split_record(r).0)
    }

    /// How many messages.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The message `id` with its verdict.
    pub fn get(&self, id: &str) -> Option<StoredRef<'_>> {
        self.position(id).map(|i| StoredRef { store: self, i })
    }

    /// Whether message `id` is stored.
    pub fn contains(&self, id: &str) -> bool {
        self.position(id).is_some()
    }

    /// Gives message `id` the verdict `lead`; false when there is no such message.
    pub fn set_lead(&mut self, id: &str, lead: Lead) -> bool {
        match self.position(id) {
            Some(i) => {
                self.leads[i] = StoredLead::new(lead);
                true
            }
            None => false,
        }
    }

    /// Changes message `id` with `change` (not its id or time: those are put back); false
    /// when there is no such message.
    pub fn update(&mut self, id: &str, change: impl FnOnce(&mut Message)) -> bool {
        let Some(i) = self.position(id) else {
            return false;
        };
        let mut m = decode_record(&self.names, &self.records[i])
            .expect("stored messages decode (checked when stored or restored)");
        change(&mut m);
        m.id = id.to_string();
        m.timestamp = self.times[i];
        let record = encode_record(&mut self.names, &mut Vec::new(), m);
        let mut old = std::mem::replace(&mut self.records[i], record);
        old.fill(0);
        true
    }

    /// Stores a message with its verdict; returns whether it replaced one of the same id.
    pub fn insert(&mut self, message: Message, lead: Lead) -> bool {
        self.push(&mut Vec::new(), message, lead)
    }

    /// Removes message `id`, zeroing its bytes; false when there is no such message.
    pub fn remove(&mut self, id: &str) -> bool {
        let Some(i) = self.position(id) else {
            return false;
        };
        let records = &self.records;
        if let Ok(e) = self.index.find_entry(hash_id(id), |&j| j as usize == i) {
            e.remove();
        }
        let last = self.records.len() - 1;
        if i != last {
            // The last message moves to `i`: point its index entry there.
            let last_id = split_record(&records[last]).0;
            if let Some(j) = self
                .index
                .find_mut(hash_id(last_id), |&j| j as usize == last)
            {
                *j = i as u32;
            }
        }
        let mut record = self.records.swap_remove(i);
        record.fill(0);
        self.times.swap_remove(i);
        self.leads.swap_remove(i);
        true
    }

    /// Every message with its verdict, in storage order.
    pub fn values(&self) -> impl Iterator<Item = StoredRef<'_>> {
        (0..self.records.len()).map(move |i| StoredRef { store: self, i })
    }

    /// Gives back memory a removal freed.
    pub fn shrink_to_fit(&mut self) {
        self.records.shrink_to_fit();
        self.times.shrink_to_fit();
        self.leads.shrink_to_fit();
        let records = &self.records;
        self.index
            .shrink_to_fit(|&j| hash_id(split_record(&records[j as usize]).0));
    }

    /// Appends the snapshot form of the messages `ids` (stored ones, each once) in this
    /// order: the name table (a varint count, then each name as a varint length and UTF-8),
    /// a varint count of messages, then per message its record (a varint length, the bytes
    /// as stored) and its verdict ([`StoredLead::write`]).
    pub fn write_part<'a>(&self, out: &mut Vec<u8>, ids: impl ExactSizeIterator<Item = &'a str>) {
        codec::put_varint(out, self.names.names().len() as u64);
        for name in self.names.names() {
            codec::put_varint(out, name.len() as u64);
            out.extend_from_slice(name.as_bytes());
        }
        codec::put_varint(out, ids.len() as u64);
        for id in ids {
            let i = self.position(id).expect("write_part is given stored ids");
            let record = &self.records[i];
            codec::put_varint(out, record.len() as u64);
            out.extend_from_slice(record);
            self.leads[i].write(out);
        }
    }

    /// A store from bytes written by [`MessageStore::write_part`]. Every message is decoded
    /// once to check it (so queries never meet one that does not decode); a message that
    /// does not decode, a repeated id, or anything else amiss rejects the whole part.
    pub fn read_part(part: &[u8]) -> Result<MessageStore, String> {
        let mut input = codec::Input::new(part);
        let short = |_| "the messages part is cut short".to_string();
        let count = |input: &mut codec::Input<'_>| -> Result<usize, String> {
            let n = input.varint().map_err(short)?;
            if n > input.left() as u64 {
                return Err("the messages part is cut short".into());
            }
            Ok(n as usize)
        };
        let n_names = count(&mut input)?;
        let mut names = Vec::with_capacity(n_names);
        for _ in 0..n_names {
            let n = count(&mut input)?;
            let name = std::str::from_utf8(input.take(n).map_err(short)?)
                .map_err(|_| "a name in the messages part is not UTF-8")?;
            names.push(name);
        }
        let names = NameTable::from_names(names).map_err(|e| e.to_string())?;
        let n = count(&mut input)?;
        let mut store = MessageStore {
            names,
            ..MessageStore::default()
        };
        store.reserve(n);
        for _ in 0..n {
            let len = count(&mut input)?;
            let record: Box<[u8]> = input.take(len).map_err(short)?.into();
            let lead = StoredLead::read(&mut input)?;
            let mut head = codec::Input::new(&record);
            let id_len = head.varint().map_err(|_| "a stored message has no id")?;
            if id_len == 0 || id_len > head.left() as u64 {
                return Err("a stored message has no id".into());
            }
            let id = std::str::from_utf8(head.take(id_len as usize).map_err(short)?)
                .map_err(|_| "a stored message's id is not UTF-8")?;
            let message = decode_record(&store.names, &record)
                .map_err(|e| format!("message {id:?} does not decode: {e}"))?;
            let i = store.records.len() as u32;
            let records = &store.records;
            // One probe both finds a repeated id and makes room for a new one.
            match store.index.entry(
                hash_id(id),
                |&j| split_record(&records[j as usize]).0 == id,
                |&j| hash_id(split_record(&records[j as usize]).0),
            ) {
                hashbrown::hash_table::Entry::Occupied(_) => {
                    return Err(format!("message {id:?} appears twice"))
                }
                hashbrown::hash_table::Entry::Vacant(v) => {
                    v.insert(i);
                }
            }
            store.times.push(message.timestamp);
            store.records.push(record);
            store.leads.push(lead);
        }
        if input.left() != 0 {
            return Err("bytes after the messages".into());
        }
        Ok(store)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::{Intent, Kind, Temperature};

    fn message(id: &str) -> Message {
        Message::from_json(&format!(
            r#"{{"id":"{id}","channel":"sms","direction":"inbound","timestamp":"2024-05-01T10:00:00Z","text":"{id}","metadata":{{"a":[1,-0.0,{{"b":null}}]}}}}"#
        ))
        .unwrap()
    }

    #[test]
    fn a_record_built_away_from_the_store_equals_one_built_in_it() {
        let mut names = NameTable::default();
        let first = encode_record(&mut names, &mut Vec::new(), message("m1"));
        let fixed = names.clone();
        // Same names: the same bytes, and the message keeps its id.
        let mut m = message("m1");
        assert_eq!(
            encode_record_fixed(&fixed, &mut m).as_deref(),
            Some(&*first)
        );
        assert_eq!(m.id, "m1");
        // A name the copy lacks (a field the first message did not have): not built.
        let mut other = message("m2");
        other.subject = Some("Re: заказ".into());
        assert!(encode_record_fixed(&fixed, &mut other).is_none());
        assert_eq!(other.id, "m2");
        // The store's table grows; a record built against the older copy still decodes there.
        encode_record(&mut names, &mut Vec::new(), other);
        let late = encode_record_fixed(&fixed, &mut message("m3")).unwrap();
        assert_eq!(decode_record(&names, &late).unwrap(), message("m3"));
    }

    fn from_vecs(messages: Vec<Message>, leads: Vec<Lead>) -> MessageStore {
        let mut names = NameTable::default();
        let times = messages.iter().map(|m| m.timestamp).collect();
        let records = messages
            .into_iter()
            .map(|m| encode_record(&mut names, &mut Vec::new(), m))
            .collect();
        MessageStore::from_records(names, records, times, leads)
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
            assert!(!s.insert(message(&id), lead(&id, 1)));
        }
        assert!(s.insert(message("m-7"), lead("m-7", 9)));
        assert_eq!(s.get("m-7").unwrap().lead().score, 9);
        for i in (0..100).step_by(3) {
            let id = format!("m-{i}");
            assert!(s.remove(&id));
            assert!(!s.remove(&id));
        }
        s.shrink_to_fit();
        for i in 0..100 {
            let id = format!("m-{i}");
            let got = s.get(&id);
            assert_eq!(got.is_some(), i % 3 != 0, "{id}");
            if let Some(g) = got {
                assert_eq!(g.id(), id);
                assert_eq!(g.message(), message(&id));
                assert_eq!(g.lead().to_lead(g.id()).message_id, id);
            }
        }
        assert_eq!(s.len(), 66);
        assert_eq!(s.values().count(), 66);
        assert!(s.set_lead("m-8", lead("m-8", 42)));
        assert_eq!(s.get("m-8").unwrap().lead().score, 42);
        assert!(s.update("m-8", |m| m.text = "changed".into()));
        assert_eq!(s.get("m-8").unwrap().message().text, "changed");
    }

    #[test]
    fn from_vecs_indexes_every_message() {
        let ids: Vec<String> = (0..50).map(|i| format!("b-{i}")).collect();
        let s = from_vecs(
            ids.iter().map(|i| message(i)).collect(),
            ids.iter().map(|i| lead(i, 0)).collect(),
        );
        assert_eq!(s.len(), 50);
        assert!(ids.iter().all(|i| s.get(i).is_some_and(|g| g.id() == i)));
        assert!(s.get("nope").is_none());
    }

    #[test]
    fn leads_keep_every_field() {
        let mut l = lead("x", 77);
        for intents in [
            vec![],
            vec![Intent::Price, Intent::Purchase, Intent::Other],
            Intent::ALL.to_vec(),
            (0..20).map(|k| Intent::ALL[k % 11]).collect(),
        ] {
            l.intents = intents;
            l.opt_out_channel = Some(Channel::Other("pigeon".into()));
            l.known_customer = true;
            let stored = StoredLead::new(l.clone());
            assert_eq!(stored.to_lead("x"), l);
            let mut bytes = Vec::new();
            stored.write(&mut bytes);
            let back = StoredLead::read(&mut codec::Input::new(&bytes)).unwrap();
            assert_eq!(back.to_lead("x"), l);
        }
    }

    #[test]
    fn the_part_round_trips_and_refuses_damage() {
        let ids: Vec<String> = (0..20).map(|i| format!("p-{i}")).collect();
        let s = from_vecs(
            ids.iter().map(|i| message(i)).collect(),
            ids.iter().map(|i| lead(i, 3)).collect(),
        );
        let mut part = Vec::new();
        s.write_part(&mut part, ids.iter().rev().map(String::as_str));
        let back = MessageStore::read_part(&part).unwrap();
        for id in &ids {
            let (a, b) = (s.get(id).unwrap(), back.get(id).unwrap());
            assert_eq!(a.message(), b.message());
            assert_eq!(a.lead(), b.lead());
            assert_eq!(a.time(), b.time());
        }
        for cut in 0..part.len() {
            assert!(
                MessageStore::read_part(&part[..cut]).is_err(),
                "cut at {cut}"
            );
        }
        for at in 0..part.len() {
            let mut bad = part.clone();
            bad[at] ^= 0x5A;
            // Flips either fail or give a store whose messages all decode (never a panic).
            if let Ok(b) = MessageStore::read_part(&bad) {
                for v in b.values() {
                    let _ = v.message();
                }
            }
        }
        let mut twice = Vec::new();
        s.write_part(&mut twice, ["p-1", "p-1"].into_iter());
        assert!(MessageStore::read_part(&twice).is_err());
    }
}
