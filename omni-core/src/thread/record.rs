//! The compact facts the threader keeps about one message: only what threading, conversation
//! state and follow-up checks read, so a million messages fit in a few hundred megabytes. The
//! strings a message needs (its id, messenger reply id, session, provider conversation and
//! topic) share one allocation; the rare rest (order numbers, problems, an unnamed channel) is
//! boxed apart.

use super::subject::{key_of_normalized, normalize_subject};
use super::text::{reference_keys, signals, topic_line, Signals};
use super::{Problem, ProblemKind, ThreadConfig, MAX_ID_BYTES, MAX_REFERENCES};
use crate::error::{Error, ErrorKind, Result};
use crate::message::{Channel, Direction, Message};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Email threading facts of one message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct EmailFacts {
    /// `Message-ID`, cleaned (no angle brackets).
    pub message_id: Option<Box<str>>,
    /// `References` oldest first, then `In-Reply-To` ids not already among them.
    pub parents: Box<[Box<str>]>,
    /// The subject's comparison key.
    pub subject: Option<Box<str>>,
}

/// What few messages have: order and ticket keys, problems, a channel without a name of ours.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Extra {
    /// The name of a [`Channel::Other`].
    channel: Option<Box<str>>,
    /// Order and ticket keys mentioned in the subject or text.
    keys: Box<[Box<str>]>,
    /// What was wrong with the message itself.
    problems: Box<[Problem]>,
}

/// The code of a channel without a name of ours ([`Channel::Other`]); named channels are
/// their position in [`Channel::NAMED`].
const OTHER_CHANNEL: u8 = u8::MAX;

/// What the threader keeps about one message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "SavedRecord", try_from = "SavedRecord")]
pub(crate) struct Record {
    /// The id, the messenger reply id, the session, the provider conversation and the topic,
    /// back to back (an absent one is empty: none of them is ever empty when present).
    strs: Box<str>,
    /// Where the id, reply id, session and provider conversation end in `strs` (each is at most
    /// [`MAX_ID_BYTES`] long, so the ends fit 16 bits); the topic is the rest.
    ends: [u16; 4],
    pub time: DateTime<Utc>,
    /// Position in [`Channel::NAMED`], or [`OTHER_CHANNEL`] with the name in `extra`.
    channel: u8,
    pub direction: Direction,
    pub signals: Signals,
    /// Whether the timestamp is inside the configured plausible range.
    pub time_trusted: bool,
    pub email: Option<Box<EmailFacts>>,
    extra: Option<Box<Extra>>,
}

/// The links and problems of a message, as snapshots store them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct SavedLinks {
    reply_to: Option<Box<str>>,
    session: Option<Box<str>>,
    provider_conversation: Option<Box<str>>,
    keys: Box<[Box<str>]>,
    problems: Box<[Problem]>,
}

/// A record as snapshots store it (the layout of state version 1).
#[derive(Clone, Debug, Serialize, Deserialize)]
struct SavedRecord {
    id: Box<str>,
    #[serde(with = "crate::message::timestamp")]
    time: DateTime<Utc>,
    channel: Channel,
    direction: Direction,
    email: Option<Box<EmailFacts>>,
    links: Option<Box<SavedLinks>>,
    signals: Signals,
    topic: Option<Box<str>>,
    time_trusted: bool,
}

impl From<Record> for SavedRecord {
    fn from(r: Record) -> SavedRecord {
        let opt = |s: Option<&str>| s.map(Into::into);
        let links = SavedLinks {
            reply_to: opt(r.reply_to()),
            session: opt(r.session()),
            provider_conversation: opt(r.provider_conversation()),
            keys: r.keys().into(),
            problems: r.problems().into(),
        };
        SavedRecord {
            id: r.id().into(),
            time: r.time,
            channel: r.channel(),
            direction: r.direction,
            links: (links != SavedLinks::default()).then(|| Box::new(links)),
            signals: r.signals,
            topic: opt(r.topic()),
            time_trusted: r.time_trusted,
            email: r.email,
        }
    }
}

impl TryFrom<SavedRecord> for Record {
    type Error = String;

    fn try_from(s: SavedRecord) -> std::result::Result<Record, String> {
        let links = s.links.map(|l| *l).unwrap_or_default();
        for (what, v) in [
            ("id", Some(&s.id)),
            ("reply_to", links.reply_to.as_ref()),
            ("session", links.session.as_ref()),
            (
                "provider_conversation",
                links.provider_conversation.as_ref(),
            ),
        ] {
            if let Some(v) = v.filter(|v| v.len() > MAX_ID_BYTES) {
                return Err(format!(
                    "a saved message {what} is {} bytes long; the limit is {MAX_ID_BYTES}",
                    v.len()
                ));
            }
        }
        Ok(Record::pack(
            Strs {
                id: &s.id,
                reply_to: links.reply_to.as_deref(),
                session: links.session.as_deref(),
                provider_conversation: links.provider_conversation.as_deref(),
                topic: s.topic.as_deref(),
                topic_cut: false,
            },
            Facts {
                time: s.time,
                channel: &s.channel,
                direction: s.direction,
                signals: s.signals,
                time_trusted: s.time_trusted,
                email: s.email,
                keys: links.keys,
                problems: links.problems,
            },
        ))
    }
}

/// The strings of a record, before packing.
struct Strs<'a> {
    id: &'a str,
    reply_to: Option<&'a str>,
    session: Option<&'a str>,
    provider_conversation: Option<&'a str>,
    topic: Option<&'a str>,
    /// Whether the topic was cut short (an ellipsis follows it).
    topic_cut: bool,
}

/// The other facts of a record, before packing.
struct Facts<'a> {
    time: DateTime<Utc>,
    channel: &'a Channel,
    direction: Direction,
    signals: Signals,
    time_trusted: bool,
    email: Option<Box<EmailFacts>>,
    keys: Box<[Box<str>]>,
    problems: Box<[Problem]>,
}

/// Cleans a reference id: trims, strips one pair of angle brackets. `None` when it is empty or
/// has whitespace inside (not a message id).
fn clean_id(raw: &str) -> Option<&str> {
    let t = raw.trim();
    let t = t.strip_prefix('<').unwrap_or(t);
    let t = t.strip_suffix('>').unwrap_or(t).trim();
    (!t.is_empty() && !t.chars().any(char::is_whitespace) && !t.contains(['<', '>'])).then_some(t)
}

fn boxed(s: &str) -> Box<str> {
    s.into()
}

/// Checks that `message` can be threaded: an id, ids and references within the limits.
pub(crate) fn validate(message: &Message) -> Result<()> {
    if message.id.trim().is_empty() {
        return Err(Error::new(
            ErrorKind::FieldMissing,
            "id: the message has no id",
        ));
    }
    if message.id.len() > MAX_ID_BYTES {
        return Err(Error::too_large("id", message.id.len(), MAX_ID_BYTES));
    }
    let refs = &message.refs;
    let count = refs.references.len() + refs.in_reply_to.len();
    if count > MAX_REFERENCES {
        return Err(Error::new(
            ErrorKind::InputTooLarge,
            format!("refs: {count} references and in_reply_to ids; the limit is {MAX_REFERENCES}"),
        ));
    }
    let long = |field: String, v: &str| Err(Error::too_large(&field, v.len(), MAX_ID_BYTES));
    for (field, v) in [
        ("refs.message_id", refs.message_id.as_deref()),
        ("refs.reply_to_id", refs.reply_to_id.as_deref()),
        // Sessions and provider conversations are kept trimmed: their trimmed length counts.
        ("refs.session_id", refs.session_id.as_deref().map(str::trim)),
        (
            "refs.conversation_id",
            refs.conversation_id.as_deref().map(str::trim),
        ),
    ] {
        if let Some(v) = v.filter(|v| v.len() > MAX_ID_BYTES) {
            return long(field.to_string(), v);
        }
    }
    for (name, list) in [
        ("references", &refs.references),
        ("in_reply_to", &refs.in_reply_to),
    ] {
        for (i, v) in list.iter().enumerate() {
            if v.len() > MAX_ID_BYTES {
                return long(format!("refs.{name}[{i}]"), v);
            }
        }
    }
    Ok(())
}

impl Record {
    /// Packs strings and facts into a record.
    fn pack(strs: Strs<'_>, facts: Facts<'_>) -> Record {
        let parts = [
            Some(strs.id),
            strs.reply_to,
            strs.session,
            strs.provider_conversation,
        ];
        let topic = strs.topic.unwrap_or("");
        let cut = if strs.topic_cut && !topic.is_empty() {
            "…"
        } else {
            ""
        };
        let len: usize = parts.iter().flatten().map(|p| p.len()).sum::<usize>() + topic.len();
        let mut packed = String::with_capacity(len + cut.len());
        let mut ends = [0u16; 4];
        for (end, part) in ends.iter_mut().zip(parts) {
            packed.push_str(part.unwrap_or(""));
            // Each part is at most MAX_ID_BYTES long, checked by the callers.
            *end = u16::try_from(packed.len()).unwrap_or(u16::MAX);
        }
        packed.push_str(topic);
        packed.push_str(cut);
        let (channel, other) = match facts.channel {
            Channel::Other(name) => (OTHER_CHANNEL, Some(name.as_str().into())),
            named => (
                Channel::NAMED
                    .iter()
                    .position(|c| c == named)
                    .map_or(OTHER_CHANNEL, |p| p as u8),
                None,
            ),
        };
        let extra = Extra {
            channel: other,
            keys: facts.keys,
            problems: facts.problems,
        };
        Record {
            strs: packed.into_boxed_str(),
            ends,
            time: facts.time,
            channel,
            direction: facts.direction,
            signals: facts.signals,
            time_trusted: facts.time_trusted,
            email: facts.email,
            extra: (extra != Extra::default()).then(|| Box::new(extra)),
        }
    }

    /// The facts of `message` under `config`.
    ///
    /// # Errors
    /// [`ErrorKind::FieldMissing`] for an empty id; [`ErrorKind::InputTooLarge`] for an id or
    /// reference longer than [`MAX_ID_BYTES`] or more than [`MAX_REFERENCES`] references.
    pub fn from_message(message: &Message, config: &ThreadConfig) -> Result<Record> {
        if message.id.trim().is_empty() {
            return Err(Error::new(
                ErrorKind::FieldMissing,
                "id: the message has no id",
            ));
        }
        if message.id.len() > MAX_ID_BYTES {
            return Err(Error::too_large("id", message.id.len(), MAX_ID_BYTES));
        }
        let refs = &message.refs;
        let count = refs.references.len() + refs.in_reply_to.len();
        if count > MAX_REFERENCES {
            return Err(Error::new(
                ErrorKind::InputTooLarge,
                format!(
                    "refs: {count} references and in_reply_to ids; the limit is {MAX_REFERENCES}"
                ),
            ));
        }
        let mut problems = Vec::new();
        let mut check = |field: &dyn Fn() -> String, value: &'_ str| -> Result<Option<Box<str>>> {
            if value.len() > MAX_ID_BYTES {
                return Err(Error::too_large(&field(), value.len(), MAX_ID_BYTES));
            }
            match clean_id(value) {
                Some(id) => Ok(Some(boxed(id))),
                None => {
                    problems.push(Problem::new(
                        ProblemKind::MalformedReference,
                        format!("{}: {value:?} is not a message id; ignored", field()),
                    ));
                    Ok(None)
                }
            }
        };
        let message_id = match &refs.message_id {
            Some(v) => check(&|| "refs.message_id".into(), v)?,
            None => None,
        };
        let mut parents: Vec<Box<str>> = Vec::new();
        for (i, r) in refs.references.iter().enumerate() {
            if let Some(id) = check(&|| format!("refs.references[{i}]"), r)? {
                parents.push(id);
            }
        }
        for (i, r) in refs.in_reply_to.iter().enumerate() {
            if let Some(id) = check(&|| format!("refs.in_reply_to[{i}]"), r)? {
                if !parents.contains(&id) {
                    parents.push(id);
                }
            }
        }
        let reply_to = match &refs.reply_to_id {
            Some(v) => check(&|| "refs.reply_to_id".into(), v)?,
            None => None,
        };
        let session = opt_value(refs.session_id.as_deref(), "refs.session_id")?;
        let provider_conversation =
            opt_value(refs.conversation_id.as_deref(), "refs.conversation_id")?;

        let subject = message
            .subject
            .as_deref()
            .map(|s| normalize_subject(s).0)
            .filter(|s| !s.is_empty());
        let is_email =
            message.channel == Channel::Email || message_id.is_some() || !parents.is_empty();
        let email = is_email.then(|| {
            Box::new(EmailFacts {
                message_id,
                parents: parents.into_boxed_slice(),
                subject: subject
                    .as_deref()
                    .and_then(key_of_normalized)
                    .map(Into::into),
            })
        });

        let mut keys = reference_keys(&message.text);
        if let Some(subject) = &message.subject {
            keys.extend(reference_keys(subject));
            keys.sort_unstable();
            keys.dedup();
        }
        let (topic, topic_cut) = match &subject {
            Some(s) => (Some(s.as_str()), false),
            None if message.direction == Direction::Inbound => {
                match topic_line(&message.text, 80) {
                    Some((line, cut)) => (Some(line), cut),
                    None => (None, false),
                }
            }
            None => (None, false),
        };

        let time = message.timestamp;
        let mut time_trusted = true;
        if let Some(floor) = config.not_before {
            if time < floor {
                time_trusted = false;
                problems.push(Problem::new(
                    ProblemKind::TimestampTooEarly,
                    format!(
                        "timestamp {} is before {}; threaded by explicit links only",
                        time.to_rfc3339(),
                        floor.to_rfc3339()
                    ),
                ));
            }
        }
        if let Some(ceiling) = config.not_after {
            if time > ceiling {
                time_trusted = false;
                problems.push(Problem::new(
                    ProblemKind::TimestampInFuture,
                    format!(
                        "timestamp {} is after {}; threaded by explicit links only",
                        time.to_rfc3339(),
                        ceiling.to_rfc3339()
                    ),
                ));
            }
        }
        Ok(Record::pack(
            Strs {
                id: &message.id,
                reply_to: reply_to.as_deref(),
                session,
                provider_conversation,
                topic,
                topic_cut,
            },
            Facts {
                time,
                channel: &message.channel,
                direction: message.direction,
                signals: signals(message),
                time_trusted,
                email,
                keys: keys.into_iter().map(Into::into).collect(),
                problems: problems.into_boxed_slice(),
            },
        ))
    }

    /// Part `k` of `strs` (see `ends`); an empty part is read without touching the string.
    fn part(&self, k: usize) -> Option<&str> {
        let start = if k == 0 { 0 } else { self.ends[k - 1] as usize };
        let end = self.ends[k] as usize;
        (end > start).then(|| &self.strs[start..end])
    }

    /// The message id.
    pub fn id(&self) -> &str {
        &self.strs[..self.ends[0] as usize]
    }

    /// The messenger message it replies to.
    pub fn reply_to(&self) -> Option<&str> {
        self.part(1)
    }

    /// Its chat or call session.
    pub fn session(&self) -> Option<&str> {
        self.part(2)
    }

    /// Its provider conversation.
    pub fn provider_conversation(&self) -> Option<&str> {
        self.part(3)
    }

    /// The normalised subject, or the first line of an inbound text.
    pub fn topic(&self) -> Option<&str> {
        let start = self.ends[3] as usize;
        (self.strs.len() > start).then(|| &self.strs[start..])
    }

    /// Its channel.
    pub fn channel(&self) -> Channel {
        match Channel::NAMED.get(self.channel as usize) {
            Some(c) => c.clone(),
            None => Channel::Other(self.channel_name().to_string()),
        }
    }

    /// Its channel's name.
    pub fn channel_name(&self) -> &str {
        match Channel::NAMED.get(self.channel as usize) {
            Some(c) => c.name(),
            None => self
                .extra
                .as_ref()
                .and_then(|e| e.channel.as_deref())
                .unwrap_or(""),
        }
    }

    /// The order and ticket keys it mentions.
    pub fn keys(&self) -> &[Box<str>] {
        self.extra.as_ref().map_or(&[], |e| &e.keys)
    }

    /// What was wrong with the message itself.
    pub fn problems(&self) -> &[Problem] {
        self.extra.as_ref().map_or(&[], |e| &e.problems)
    }

    /// Records a problem found when the message was added.
    pub fn add_problem(&mut self, problem: Problem) {
        let extra = self.extra.get_or_insert_with(Default::default);
        let mut all = std::mem::take(&mut extra.problems).into_vec();
        all.push(problem);
        extra.problems = all.into_boxed_slice();
    }

    /// Whether this message carries its own (email) threading.
    pub fn is_email(&self) -> bool {
        self.email.is_some()
    }
}

/// A session or provider conversation id, trimmed; `None` when empty.
fn opt_value<'a>(value: Option<&'a str>, field: &str) -> Result<Option<&'a str>> {
    match value.map(str::trim) {
        Some(v) if v.len() > MAX_ID_BYTES => Err(Error::too_large(field, v.len(), MAX_ID_BYTES)),
        Some(v) if !v.is_empty() => Ok(Some(v)),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_ids_are_cleaned_and_bad_ones_reported() {
        assert_eq!(clean_id(" <a@b> "), Some("a@b"));
        assert_eq!(clean_id("a@b"), Some("a@b"));
        assert_eq!(clean_id("<>"), None);
        assert_eq!(clean_id("<a@b> (Simos"), None);
        let mut m = Message::from_json(
            r#"{"id":"e1","channel":"email","direction":"inbound","timestamp":"2024-05-01T10:00:00Z",
            "subject":"Re: Заказ №12345","refs":{"message_id":"<x@y>","references":["a@b",""],"in_reply_to":["<a@b>","c@d"]}}"#,
        )
        .unwrap();
        let r = Record::from_message(&m, &ThreadConfig::default()).unwrap();
        let email = r.email.as_ref().unwrap();
        assert_eq!(email.message_id.as_deref(), Some("x@y"));
        assert_eq!(&*email.parents, &[boxed("a@b"), boxed("c@d")]);
        assert_eq!(email.subject.as_deref(), Some("заказ №12345"));
        assert_eq!(r.keys(), &[boxed("order:12345")]);
        assert_eq!(r.problems().len(), 1);
        assert_eq!(r.problems()[0].kind, ProblemKind::MalformedReference);
        m.id = " ".into();
        assert_eq!(
            Record::from_message(&m, &ThreadConfig::default())
                .unwrap_err()
                .kind(),
            ErrorKind::FieldMissing
        );
    }
}
