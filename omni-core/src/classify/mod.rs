//! Inbound triage: is a message a new lead, an existing customer's request, support, spam, an
//! opt-out, an auto-reply, or none of these; what does the sender want; how hot is it; and why.
//!
//! [`classify`] reads a [`ClassifyInput`] (text, subject, form fields, channel, direction, call
//! metadata, and two facts the caller knows: whether the sender is a known customer and whether
//! a conversation is open) and returns an [`Assessment`]. Out of the box it uses rules and a
//! built-in linear model ([`Model::builtin`]); [`train`] builds a model from your own labelled
//! messages, [`Classifier::with_model`] uses it, and [`evaluate`] measures any classifier on
//! labelled messages.
//!
//! ```
//! use omni_core::classify::{classify, ClassifyInput, Intent, Kind};
//! use omni_core::Channel;
//!
//! let a = classify(&ClassifyInput::new("Здравствуйте! Сколько стоит доставка в Казань?", Channel::Whatsapp));
//! assert_eq!(a.kind, Kind::NewLead);
//! assert!(a.intents.contains(&Intent::Price));
//!
//! let stop = classify(&ClassifyInput::new("STOP", Channel::Sms));
//! assert_eq!(stop.kind, Kind::OptOut);
//! assert_eq!(stop.opt_out_channel, Some(Channel::Sms));
//! ```
//!
//! How a kind is decided, in order (each step that applies is listed in `signals`):
//! 1. an outbound message is `not_applicable`;
//! 2. an opt-out phrase in either language (`STOP`, `стоп`, `отписаться`, `не пишите мне
//!    больше`, `unsubscribe`, `remove me from your list`) makes an `opt_out`, with the channel
//!    whose consent it revokes: the one the phrase names (`не звоните` is voice), else the
//!    message's own channel;
//! 3. an auto-reply or delivery notice phrase (`Out of Office`, `Undeliverable`, `Автоответ`)
//!    makes an `auto_reply`;
//! 4. a web-form submission of test words only (`asdf`, `test`, `test@test.com`) is `spam`;
//! 5. otherwise the model's most likely kind among those the facts allow: a known customer or
//!    an open conversation is never a `new_lead` (nor `not_applicable`), a stranger is never an
//!    `existing_customer`, and a web-form submission is never `not_applicable`;
//! 6. a missed inbound call from an unknown number, and a stranger's message that shows wanting
//!    (a purchase, price, booking or callback phrase) but that the model would leave
//!    `not_applicable`, are `new_lead`s.
//!
//! The score (0 to 100) adds up the `contribution` of every signal: the model's lead
//! probability, the channel, intent phrases, contact details left, urgency, quantities and
//! money; kinds that are not sales (spam, opt-out, auto-reply, not applicable) take it to 0.
//! Temperature: `hot` from 60, `warm` from 30, `cold` below.
//!
//! Text is read on a bounded prefix ([`MAX_CLASSIFY_TEXT`] bytes of text, [`MAX_CLASSIFY_SUBJECT`]
//! of subject, [`MAX_CLASSIFY_FIELDS`] of form fields); [`Assessment::truncated`] says when more
//! was given. Any input gives an assessment; nothing here panics or fails.

mod evaluate;
mod features;
mod lexicon;
mod model;
mod rules;
mod text;

pub use evaluate::{evaluate, LabelMetrics, Mistake, Report};
pub use model::{
    train, LabelledExample, Model, TrainOptions, MAX_MODEL_BYTES, MODEL_FORMAT_VERSION,
};

use crate::error::Result;
use crate::ident::{ContactExtractor, FoundContact};
use crate::message::{Channel, Direction, Message};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, LazyLock};

/// The most text read from [`ClassifyInput::text`], in bytes (cut back to a character boundary).
pub const MAX_CLASSIFY_TEXT: usize = 16 * 1024;
/// The most subject read, in bytes.
pub const MAX_CLASSIFY_SUBJECT: usize = 1024;
/// The most form-field names and values read, in bytes together.
pub const MAX_CLASSIFY_FIELDS: usize = 8 * 1024;

macro_rules! named_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident => $text:literal,)* }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vm])* $variant,)*
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The snake_case name used in JSON, C and Python.
            pub const fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }

            /// The value with this snake_case name.
            pub fn from_name(name: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.name() == name)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

named_enum! {
    /// What a message is, for the business.
    Kind {
        /// Someone who is not a customer yet wants something: a sales opportunity.
        NewLead => "new_lead",
        /// A known customer's (or an open conversation's) request that is not support.
        ExistingCustomer => "existing_customer",
        /// A support request or a complaint.
        Support => "support",
        /// Unsolicited offers, scams, test submissions.
        Spam => "spam",
        /// A request to stop receiving messages.
        OptOut => "opt_out",
        /// An automatic reply or a system notification (out of office, delivery failure,
        /// ticket robots, invoice robots).
        AutoReply => "auto_reply",
        /// Nothing to act on: outbound messages, praise without intent, chatter.
        NotApplicable => "not_applicable",
    }
}

named_enum! {
    /// What the sender wants; several may hold.
    Intent {
        /// To buy or order.
        Purchase => "purchase",
        /// A question about price or availability.
        Price => "price",
        /// A call back or to be contacted.
        Callback => "callback",
        /// A booking or an appointment.
        Booking => "booking",
        /// Where an order is, delivery.
        OrderStatus => "order_status",
        /// Payment or an invoice.
        Payment => "payment",
        /// A complaint.
        Complaint => "complaint",
        /// To cancel, return or be refunded.
        Cancellation => "cancellation",
        /// To stop receiving messages.
        OptOut => "opt_out",
        /// A greeting, thanks or praise.
        Greeting => "greeting",
        /// None of the above.
        Other => "other",
    }
}

named_enum! {
    /// How soon a lead should be answered.
    Temperature {
        /// Score 60 and above: answer now.
        Hot => "hot",
        /// Score 30 to 59.
        Warm => "warm",
        /// Below 30.
        Cold => "cold",
    }
}

named_enum! {
    /// What a [`Signal`] is.
    SignalName {
        /// The model's probability that this is a lead (evidence: the kind and probability).
        Model => "model",
        /// The channel it came on.
        Channel => "channel",
        /// The message is outbound.
        Outbound => "outbound",
        /// The sender is a known customer.
        KnownCustomer => "known_customer",
        /// A conversation with the sender is open.
        OpenConversation => "open_conversation",
        /// A missed inbound call.
        MissedCall => "missed_call",
        /// A web-form submission.
        FormSubmission => "form_submission",
        /// A purchase or order phrase.
        PurchasePhrase => "purchase_phrase",
        /// A price or availability phrase.
        PricePhrase => "price_phrase",
        /// A callback or contact request phrase.
        CallbackPhrase => "callback_phrase",
        /// A booking phrase.
        BookingPhrase => "booking_phrase",
        /// An order status or delivery phrase.
        OrderStatusPhrase => "order_status_phrase",
        /// A payment or invoice phrase.
        PaymentPhrase => "payment_phrase",
        /// A complaint phrase.
        ComplaintPhrase => "complaint_phrase",
        /// A cancellation or refund phrase.
        CancellationPhrase => "cancellation_phrase",
        /// An opt-out phrase or keyword.
        OptOutPhrase => "opt_out_phrase",
        /// A greeting, thanks or praise.
        GreetingPhrase => "greeting_phrase",
        /// An auto-reply or system notification phrase.
        AutoReplyPhrase => "auto_reply_phrase",
        /// A spam phrase.
        SpamPhrase => "spam_phrase",
        /// Nothing but test words or a test address.
        TestSubmission => "test_submission",
        /// A contact detail left in the message.
        Contact => "contact",
        /// Urgency (`срочно`, `asap`, `today`).
        Urgency => "urgency",
        /// A quantity or a bulk order.
        Quantity => "quantity",
        /// A money amount.
        Money => "money",
        /// A link.
        Link => "link",
        /// The kind is not a sales opportunity (spam, opt-out, auto-reply, not applicable,
        /// support): the score goes down to what it is.
        KindPenalty => "kind_penalty",
    }
}

/// One reason behind an assessment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signal {
    /// What it is.
    pub name: SignalName,
    /// The text or value it rests on, as it stood in the message (`хочу купить`,
    /// `+79123456789`, `web_form`, `new_lead 0.93`).
    pub evidence: String,
    /// Points it adds to (or takes from) the score.
    pub contribution: i32,
}

/// A contact detail found in a message, with where: `text`, `subject` or
/// `form_fields.<name>`; offsets are into that value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeftContact {
    /// Where it was found.
    pub source: String,
    /// The contact, as extraction found it.
    #[serde(flatten)]
    pub contact: FoundContact,
}

/// The verdict on one message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    /// What the message is.
    pub kind: Kind,
    /// What the sender wants (at least one; `other` when nothing else).
    pub intents: Vec<Intent>,
    /// How promising a sale it is, 0 to 100: the sum of the signals' contributions, clamped.
    pub score: u8,
    /// `hot`, `warm` or `cold`, from the score.
    pub temperature: Temperature,
    /// The reasons, in the order they were found.
    pub signals: Vec<Signal>,
    /// Contact details found in the text, subject and form fields.
    pub contacts: Vec<LeftContact>,
    /// For an opt-out, the channel whose consent it revokes.
    pub opt_out_channel: Option<Channel>,
    /// A sale is possible: a new lead, or an existing customer asking to buy, for a price or
    /// to book.
    pub sales_opportunity: bool,
    /// The model's probability of the chosen kind (0 to 1; 1 for a rule).
    pub confidence: f32,
    /// The text, subject or form fields were longer than the limits and only a prefix was read.
    pub truncated: bool,
}

/// A message to classify, with what the caller knows about its sender.
///
/// In JSON (C, Python, training files): `text`, `subject`, `form_fields`, `channel` (default
/// `other`), `direction` (default `inbound`), `known_customer`, `open_conversation`,
/// `call_status` (`missed`, `no_answer`, `busy`, `voicemail`, `answered`...), `duration_s`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassifyInput {
    /// The text body.
    #[serde(default)]
    pub text: String,
    /// Subject (email) or title (form, ticket).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Fields of a web form or chatbot, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub form_fields: BTreeMap<String, String>,
    /// The channel it came on.
    #[serde(default = "other_channel")]
    pub channel: Channel,
    /// Inbound or outbound.
    #[serde(default = "inbound")]
    pub direction: Direction,
    /// The sender is already a customer.
    #[serde(default, skip_serializing_if = "is_false")]
    pub known_customer: bool,
    /// A conversation with the sender is open.
    #[serde(default, skip_serializing_if = "is_false")]
    pub open_conversation: bool,
    /// For calls: how the call ended, as the telephony says it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_status: Option<String>,
    /// For calls: the duration in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_s: Option<f64>,
}

fn other_channel() -> Channel {
    Channel::Other("other".into())
}

fn inbound() -> Direction {
    Direction::Inbound
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl ClassifyInput {
    /// An inbound message with `text` on `channel`, from a stranger, no conversation open.
    pub fn new(text: impl Into<String>, channel: Channel) -> Self {
        ClassifyInput {
            text: text.into(),
            subject: None,
            form_fields: BTreeMap::new(),
            channel,
            direction: Direction::Inbound,
            known_customer: false,
            open_conversation: false,
            call_status: None,
            duration_s: None,
        }
    }

    /// The input for a [`Message`]: its text, subject, form fields, channel, direction, and
    /// `metadata.call_status` / `metadata.duration_s` for calls; the two facts as given.
    pub fn from_message(message: &Message, known_customer: bool, open_conversation: bool) -> Self {
        ClassifyInput {
            text: message.text.clone(),
            subject: message.subject.clone(),
            form_fields: message.form_fields.clone(),
            channel: message.channel.clone(),
            direction: message.direction,
            known_customer,
            open_conversation,
            call_status: call_status_of(message).map(str::to_string),
            duration_s: duration_of(message),
        }
    }

    /// Reads one input from JSON (see the type's documentation for the fields).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidJson`](crate::ErrorKind::InvalidJson) for malformed JSON or a
    /// field of the wrong type or name, naming it.
    pub fn from_json(text: &str) -> Result<Self> {
        crate::message::json::parse_record(text, "", INPUTS)
    }

    pub(crate) fn view(&self) -> ClassifyView<'_> {
        ClassifyView {
            text: &self.text,
            subject: self.subject.as_deref(),
            form_fields: &self.form_fields,
            channel: &self.channel,
            direction: self.direction,
            known_customer: self.known_customer,
            open_conversation: self.open_conversation,
            call_status: self.call_status.as_deref(),
            duration_s: self.duration_s,
        }
    }
}

fn call_status_of(m: &Message) -> Option<&str> {
    m.metadata
        .get("call_status")
        .or_else(|| m.metadata.get("status"))
        .and_then(|v| v.as_str())
}

fn duration_of(m: &Message) -> Option<f64> {
    m.metadata
        .get("duration_s")
        .or_else(|| m.metadata.get("duration"))
        .and_then(|v| {
            v.as_f64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        })
}

/// A borrowed view of an input, so a [`Message`] is classified without copying it.
pub(crate) struct ClassifyView<'a> {
    pub text: &'a str,
    pub subject: Option<&'a str>,
    pub form_fields: &'a BTreeMap<String, String>,
    pub channel: &'a Channel,
    pub direction: Direction,
    pub known_customer: bool,
    pub open_conversation: bool,
    pub call_status: Option<&'a str>,
    pub duration_s: Option<f64>,
}

/// Classifies messages with a model and a contact extractor. Cheap to clone; share it freely
/// between threads.
#[derive(Clone, Debug)]
pub struct Classifier {
    model: Arc<Model>,
    extractor: ContactExtractor,
}

impl Default for Classifier {
    fn default() -> Self {
        Classifier::new()
    }
}

impl Classifier {
    /// A classifier with the built-in model, reading national phone numbers as Russian.
    pub fn new() -> Self {
        Classifier {
            model: model::builtin_arc(),
            extractor: ContactExtractor::default(),
        }
    }

    /// A classifier with your own model (see [`train`]).
    pub fn with_model(model: Model) -> Self {
        Classifier {
            model: Arc::new(model),
            extractor: ContactExtractor::default(),
        }
    }

    /// The same classifier reading national phone numbers as numbers of `region`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument) for an unknown region.
    pub fn with_region(mut self, region: &str) -> Result<Self> {
        self.extractor = ContactExtractor::new(region)?;
        Ok(self)
    }

    /// The model in use.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Assesses one message.
    pub fn classify(&self, input: &ClassifyInput) -> Assessment {
        self.classify_view(&input.view())
    }

    /// Assesses a [`Message`] with the two facts the caller knows about its sender.
    pub fn classify_message(
        &self,
        message: &Message,
        known_customer: bool,
        open_conversation: bool,
    ) -> Assessment {
        let view = ClassifyView {
            text: &message.text,
            subject: message.subject.as_deref(),
            form_fields: &message.form_fields,
            channel: &message.channel,
            direction: message.direction,
            known_customer,
            open_conversation,
            call_status: call_status_of(message),
            duration_s: duration_of(message),
        };
        self.classify_view(&view)
    }

    /// Assesses a [`Message`] twice in one reading: as from a stranger, and as from a known
    /// customer (`(stranger, known)`). For callers that learn who the sender is only later
    /// (the engine classifies before it takes its lock); each equals what
    /// [`Classifier::classify_message`] gives with that fact.
    pub fn classify_message_both(&self, message: &Message) -> (Assessment, Assessment) {
        let mut view = ClassifyView {
            text: &message.text,
            subject: message.subject.as_deref(),
            form_fields: &message.form_fields,
            channel: &message.channel,
            direction: message.direction,
            known_customer: false,
            open_conversation: false,
            call_status: call_status_of(message),
            duration_s: duration_of(message),
        };
        let analysis = features::analyze(&view, &self.extractor);
        let (f_stranger, f_known) = self.model.features.features_both(&view, &analysis);
        let scores = self.model.scores(&f_stranger);
        let stranger = rules::decide(&view, analysis.clone(), &scores);
        view.known_customer = true;
        let scores = self.model.scores(&f_known);
        let known = rules::decide(&view, analysis, &scores);
        (stranger, known)
    }

    fn classify_view(&self, view: &ClassifyView<'_>) -> Assessment {
        let analysis = features::analyze(view, &self.extractor);
        let f = self.model.features.features(view, &analysis);
        let scores = self.model.scores(&f);
        rules::decide(view, analysis, &scores)
    }
}

static DEFAULT: LazyLock<Classifier> = LazyLock::new(Classifier::new);

/// Assesses one message with the built-in model.
///
/// # Example
/// ```
/// use omni_core::classify::{classify, ClassifyInput, Kind};
/// use omni_core::Channel;
///
/// let mut input = ClassifyInput::new("", Channel::Voice);
/// input.call_status = Some("missed".into());
/// let a = classify(&input);
/// assert_eq!(a.kind, Kind::NewLead);
/// ```
pub fn classify(input: &ClassifyInput) -> Assessment {
    DEFAULT.classify(input)
}

const INPUTS: crate::message::json::Collection = crate::message::json::Collection {
    name: "inputs",
    one: "input",
    id_field: "id",
};

const EXAMPLES: crate::message::json::Collection = crate::message::json::Collection {
    name: "examples",
    one: "example",
    id_field: "id",
};

/// Reads many inputs: a JSON array, `{"inputs": [...]}`, or JSON lines.
///
/// # Errors
/// The first bad record's error, its path starting with `inputs[i]`.
pub fn parse_inputs(text: &str) -> Result<Vec<ClassifyInput>> {
    crate::message::json::split_records(text, INPUTS)?
        .into_iter()
        .enumerate()
        .map(|(i, raw)| crate::message::json::parse_record(raw, &format!("inputs[{i}]"), INPUTS))
        .collect()
}

/// Reads labelled examples: a JSON array, `{"examples": [...]}`, or JSON lines; each is an
/// input with `kind` and optionally `intents`.
///
/// # Errors
/// The first bad record's error, its path starting with `examples[i]`.
pub fn parse_examples(text: &str) -> Result<Vec<LabelledExample>> {
    crate::message::json::split_records(text, EXAMPLES)?
        .into_iter()
        .enumerate()
        .map(|(i, raw)| {
            crate::message::json::parse_record(raw, &format!("examples[{i}]"), EXAMPLES)
        })
        .collect()
}
