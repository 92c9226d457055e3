//! Conversations as stories: the steps a customer and the shop take, on which channels, when.

use super::texts::{
    business_text, contact_phrase, customer_text, Lang, Reply, Said, Slots, PRODUCTS,
};
use super::{is_russian, opaque_id, Intent, MessageKind, MessageTruth};
use crate::email::{mailbox_key, EmailRates, PLACEHOLDER_EMAILS};
use crate::person::{NameStyle, Person, Population};
use crate::phone::PhoneNumber;
use crate::places::Company;
use crate::rng::SynthRng;
use omni_core::message::{Attachment, Party};
use omni_core::{Channel, Direction, Identifier, IdentifierKind as K, Message};
use serde_json::json;

const SHOP_PHONE: &str = "+74951203456";
const SHOP_EMAIL: &str = "sales@uyut-dom.example";
const SHOP_DOMAIN: &str = "uyut-dom.example";
const PROFILE_NAME: u64 = 20;

/// Everything generated so far, and the counter behind message ids.
pub(crate) struct Output {
    seed: u64,
    counter: u64,
    conversations: u64,
    pairs: Vec<(Message, MessageTruth)>,
}

impl Output {
    pub fn new(seed: u64) -> Output {
        Output {
            seed,
            counter: 0,
            conversations: 0,
            pairs: Vec::new(),
        }
    }

    pub fn into_pairs(self) -> Vec<(Message, MessageTruth)> {
        self.pairs
    }

    fn next_id(&mut self) -> String {
        self.counter += 1;
        opaque_id(self.seed, self.counter)
    }

    fn next_conversation(&mut self) -> String {
        self.conversations += 1;
        format!("conv-{:06}", self.conversations)
    }
}

/// Per-customer facts that stay the same across conversations.
struct Customer<'a> {
    person: &'a Person,
    company: Option<&'a Company>,
    lang: Lang,
    whatsapp: bool,
    visitor: String,
    app_token: Option<String>,
    web_push: Option<String>,
    known: bool,
    /// Channels this customer prefers to write on, most preferred first.
    messengers: Vec<Channel>,
}

/// One conversation being written.
struct Conv<'a, 'b> {
    out: &'b mut Output,
    rng: &'b mut SynthRng,
    c: &'b mut Customer<'a>,
    id: String,
    t: i64,
    end: i64,
    slots: Slots,
    /// Email thread: message ids, oldest first, and the subject.
    thread: Vec<String>,
    subject: String,
    session: Option<String>,
    /// The customer had written or been written to before this conversation.
    was_known: bool,
}

/// A sentence and a contact phrase joined as people write them.
fn join_contact(text: &str, phrase: &str) -> String {
    if text.ends_with(['?', '!', '.', ')']) {
        let mut cs = phrase.chars();
        let first: String = cs
            .next()
            .map(|c| c.to_uppercase().collect())
            .unwrap_or_default();
        format!("{text} {first}{}", cs.as_str())
    } else {
        format!("{text}, {phrase}")
    }
}

fn date_text(t: i64, lang: Lang) -> String {
    let d = chrono::DateTime::from_timestamp(t, 0).unwrap_or_default();
    match lang {
        Lang::Ru => d.format("%d.%m").to_string(),
        Lang::En => d.format("%b %-d").to_string(),
    }
}

impl<'a> Conv<'a, '_> {
    fn later(&mut self, min_s: i64, max_s: i64) {
        self.t += min_s + self.rng.below((max_s - min_s).max(1) as u64) as i64;
    }

    fn russian(&self) -> bool {
        self.c.lang == Lang::Ru
    }

    fn name_style(&self) -> NameStyle {
        NameStyle {
            other_script: if is_russian(self.c.person) { 0.35 } else { 0.0 },
            nickname: 0.25,
            patronymic: 0.02,
            surname_first: 0.05,
            given_only: 0.35,
            initials: 0.0,
            typo: 0.02,
            case: 0.04,
            wrong_layout: 0.0,
            yo_as_e: 0.5,
        }
    }

    fn phone(&mut self) -> PhoneNumber {
        let p = self.c.person;
        let (phone, _) = p.phone_at(self.t);
        if p.phones.len() > 1 && self.rng.chance(0.2) {
            // People with two phones use both.
            let other = if *phone == p.phones[0] {
                &p.phones[1]
            } else {
                &p.phones[0]
            };
            return other.clone();
        }
        phone.clone()
    }

    fn email_address(&mut self) -> Option<String> {
        let p = self.c.person;
        let rates = EmailRates {
            case: 0.05,
            gmail_dots: 0.1,
            tag: 0.05,
            domain_alias: 0.1,
            typo: 0.0,
        };
        let (mailbox, _) = p.email_at(self.t)?;
        Some(mailbox.written(self.rng, &rates).0)
    }

    /// The name on the customer's profile on a messenger: the same every time on one channel.
    fn profile_name(&self, channel: &Channel) -> String {
        let index = Channel::NAMED
            .iter()
            .position(|c| c == channel)
            .unwrap_or(0) as u64;
        let mut rng = SynthRng::derive(self.out.seed, &[PROFILE_NAME, self.c.person.id, index]);
        self.c.person.written_name(&mut rng, &self.name_style()).0
    }

    /// The customer's side of a message on `channel`.
    fn party(&mut self, channel: &Channel) -> (Party, Option<String>) {
        let p = self.c.person;
        let mut ids = Vec::new();
        let mut raw_email = None;
        let mut display = None;
        match channel {
            Channel::Voice | Channel::Sms | Channel::Visit => {
                ids.push(Identifier::new(K::Phone, self.phone().e164()));
            }
            Channel::Whatsapp => {
                let ph = self.phone();
                ids.push(Identifier::new(K::Whatsapp, ph.wa_id()));
                ids.push(Identifier::new(K::Phone, ph.e164()));
                display = Some(self.profile_name(channel));
            }
            Channel::Telegram => {
                if let Some(id) = p.telegram_id {
                    ids.push(Identifier::new(K::TelegramId, id.to_string()));
                }
                if let Some(u) = &p.telegram_username {
                    ids.push(Identifier::new(K::TelegramUsername, u.clone()));
                }
                display = Some(self.profile_name(channel));
            }
            Channel::Viber => {
                if let Some(v) = &p.viber_id {
                    ids.push(Identifier::new(K::ViberId, v.clone()));
                }
                display = Some(self.profile_name(channel));
            }
            Channel::Vk => {
                if let Some(id) = p.vk_id {
                    ids.push(Identifier::new(K::VkId, id.to_string()));
                }
                if let Some(s) = &p.vk_screen_name {
                    ids.push(Identifier::new(K::VkScreenName, s.clone()));
                }
                display = Some(p.full_name());
            }
            Channel::Instagram => {
                if let Some(ig) = &p.instagram {
                    ids.push(Identifier::new(K::Instagram, ig.clone()));
                }
            }
            Channel::Email => {
                if let Some(addr) = self.email_address() {
                    ids.push(Identifier::new(K::Email, mailbox_key(&addr)));
                    raw_email = Some(addr);
                }
                display = Some(self.profile_name(channel));
            }
            Channel::WebForm | Channel::LiveChat => {
                ids.push(Identifier::new(K::VisitorId, self.c.visitor.clone()));
            }
            Channel::Chatbot => match p.telegram_id {
                Some(id) => ids.push(Identifier::new(K::TelegramId, id.to_string())),
                None => ids.push(Identifier::new(K::VisitorId, self.c.visitor.clone())),
            },
            Channel::AppPush => {
                if let Some(t) = &self.c.app_token {
                    ids.push(Identifier::new(K::AppPush, t.clone()));
                }
            }
            Channel::WebPush => {
                if let Some(t) = &self.c.web_push {
                    ids.push(Identifier::new(K::WebPush, t.clone()));
                }
            }
            _ => {}
        }
        (
            Party {
                identifiers: ids,
                display_name: display,
            },
            raw_email,
        )
    }

    fn shop(&self, channel: &Channel) -> Party {
        let ids = match channel {
            Channel::Voice | Channel::Sms | Channel::Whatsapp | Channel::Viber => {
                vec![Identifier::new(K::Phone, SHOP_PHONE)]
            }
            Channel::Email => vec![Identifier::new(K::Email, SHOP_EMAIL)],
            _ => Vec::new(),
        };
        Party {
            identifiers: ids,
            display_name: Some(
                if self.russian() {
                    "Уютный дом"
                } else {
                    "Cozy Home"
                }
                .into(),
            ),
        }
    }

    /// The kind of an inbound sales message that opens a conversation: a new lead from a
    /// stranger, else a known customer's request.
    fn lead_kind(&self) -> MessageKind {
        if self.was_known {
            MessageKind::ExistingCustomer
        } else {
            MessageKind::NewLead
        }
    }

    fn push(
        &mut self,
        mut m: Message,
        kind: MessageKind,
        intents: Vec<Intent>,
        contacts: Vec<Identifier>,
    ) -> String {
        if self.t >= self.end {
            return String::new();
        }
        m.timestamp = chrono::DateTime::from_timestamp(self.t, 0).unwrap_or_default();
        if let Some(s) = &self.session {
            if matches!(m.channel, Channel::LiveChat) {
                m.refs.session_id = Some(s.clone());
            }
        }
        let truth = MessageTruth {
            message_id: m.id.clone(),
            person_id: self.c.person.id,
            conversation_id: self.id.clone(),
            kind,
            intents,
            contacts,
        };
        let id = m.id.clone();
        self.out.pairs.push((m, truth));
        self.c.known = true;
        id
    }

    fn new_message(&mut self, channel: Channel, direction: Direction) -> Message {
        let prefix = match channel {
            Channel::Voice => "call-",
            Channel::Sms => "sms-",
            Channel::Whatsapp => "wamid.",
            Channel::Telegram => "tg-",
            Channel::Viber => "vb-",
            Channel::Vk => "vk-",
            Channel::Instagram => "ig-",
            Channel::WebForm => "form-",
            Channel::LiveChat => "chat-",
            Channel::Chatbot => "bot-",
            Channel::AppPush => "push-",
            Channel::WebPush => "wpush-",
            Channel::Visit => "visit-",
            _ => "msg-",
        };
        let id = format!("{prefix}{}", self.out.next_id());
        let ts = chrono::DateTime::from_timestamp(self.t, 0).unwrap_or_default();
        let mut m = Message::new(id, channel.clone(), direction, ts);
        let (customer, raw_email) = self.party(&channel);
        let shop = self.shop(&channel);
        match direction {
            Direction::Inbound => {
                m.from = customer;
                m.to = shop;
                if let (Some(addr), Some(name)) = (&raw_email, &m.from.display_name) {
                    m.metadata
                        .insert("from_header".into(), json!(format!("{name} <{addr}>")));
                }
            }
            Direction::Outbound => {
                m.from = shop;
                m.to = customer;
                if let Some(addr) = &raw_email {
                    m.metadata
                        .insert("to_header".into(), json!(format!("<{addr}>")));
                }
            }
        }
        m
    }

    /// An inbound message saying `said`, maybe leaving a contact.
    fn say(
        &mut self,
        channel: Channel,
        said: Said,
        kind: Option<MessageKind>,
        contact: Option<(&str, String, Identifier)>,
    ) -> String {
        let (mut text, intents) = customer_text(self.rng, said, self.c.lang, &self.slots);
        let mut contacts = Vec::new();
        if let Some((k, raw, id)) = contact {
            let phrase = contact_phrase(self.rng, self.c.lang, k, &raw);
            text = join_contact(&text, &phrase);
            contacts.push(id);
        }
        if self.rng.chance(0.03) {
            text = crate::typo::typo(self.rng, &text);
        }
        let kind = kind.unwrap_or_else(|| self.lead_kind());
        let mut m = self.new_message(channel.clone(), Direction::Inbound);
        m.text = text;
        if channel == Channel::Email {
            self.email_refs(&mut m, false);
        }
        self.push(m, kind, intents, contacts)
    }

    /// An outbound message from the shop.
    fn reply(&mut self, channel: Channel, reply: Reply) -> String {
        let text = business_text(self.rng, reply, self.c.lang, &self.slots);
        let mut m = self.new_message(channel.clone(), Direction::Outbound);
        m.text = text;
        if channel == Channel::Email {
            self.email_refs(&mut m, true);
        }
        self.push(
            m,
            MessageKind::NotApplicable,
            vec![Intent::Other],
            Vec::new(),
        )
    }

    /// Email headers: a new Message-ID, and In-Reply-To/References to the thread so far.
    fn email_refs(&mut self, m: &mut Message, ours: bool) {
        let host = if ours {
            SHOP_DOMAIN.to_string()
        } else {
            match self.c.person.emails.first().map(|e| e.domain.as_str()) {
                Some("gmail.com") => "mail.gmail.com".into(),
                Some(d) if d.contains("yandex") || d == "ya.ru" => "mail.yandex.ru".into(),
                Some(d @ ("mail.ru" | "bk.ru" | "inbox.ru" | "list.ru")) => format!("smtp.{d}"),
                Some(d) => d.to_string(),
                None => "localhost".into(),
            }
        };
        let mid = format!("{}.{}@{host}", self.rng.hex(12), self.rng.hex(8));
        m.refs.message_id = Some(mid.clone());
        let prefix: &str = if self.thread.is_empty() {
            ""
        } else if ours {
            "Re: "
        } else {
            let prefixes: &[&str] = &["Re: ", "Re: ", "RE: ", "Ответ: ", "Re[2]: ", "Отв: "];
            let prefix: &&str = self
                .rng
                .pick(&prefixes[..if self.russian() { 6 } else { 3 }]);
            prefix
        };
        m.subject = Some(format!("{prefix}{}", self.subject));
        if let Some(last) = self.thread.last() {
            let roll = self.rng.unit();
            if ours || roll > 0.2 {
                m.refs.in_reply_to = vec![last.clone()];
                m.refs.references = self.thread.clone();
            } else if roll > 0.05 {
                // A client that keeps In-Reply-To but drops References.
                m.refs.in_reply_to = vec![last.clone()];
            } // else: only the subject links it (a broken client).
        }
        self.thread.push(mid);
    }

    fn contact_phone(&mut self) -> (&'static str, String, Identifier) {
        let ph = self.phone();
        let (raw, _) = ph.written(self.rng, None);
        ("phone", raw, Identifier::new(K::Phone, ph.e164()))
    }

    fn contact_any(&mut self) -> Option<(&'static str, String, Identifier)> {
        let p = self.c.person;
        let r = self.rng.unit();
        if r < 0.6 {
            return Some(self.contact_phone());
        }
        if r < 0.9 {
            if let Some(addr) = self.email_address() {
                let key = mailbox_key(&addr);
                return Some(("email", addr, Identifier::new(K::Email, key)));
            }
        }
        if let Some(u) = &p.telegram_username {
            return Some((
                "telegram",
                format!("@{u}"),
                Identifier::new(K::TelegramUsername, u.clone()),
            ));
        }
        Some(self.contact_phone())
    }

    fn messenger(&mut self) -> Channel {
        let list = self.c.messengers.clone();
        if list.is_empty() {
            return Channel::Sms;
        }
        // Mostly the favourite, sometimes another one.
        if self.rng.chance(0.7) {
            list[0].clone()
        } else {
            self.rng.pick(&list).clone()
        }
    }

    fn call(&mut self, direction: Direction, status: &str, transcript: Option<Said>) -> String {
        let mut m = self.new_message(Channel::Voice, direction);
        let duration = if status == "answered" {
            self.rng.range(35, 900)
        } else {
            0
        };
        m.metadata.insert("call_status".into(), json!(status));
        m.metadata.insert("duration_s".into(), json!(duration));
        if status == "answered" && self.rng.chance(0.3) {
            m.attachments.push(Attachment {
                name: Some(format!("{}.mp3", self.rng.hex(10))),
                mime_type: Some("audio/mpeg".into()),
                size: Some(duration * 16_000),
                url: None,
            });
        }
        let (kind, intents) = match (direction, status, transcript) {
            (Direction::Outbound, _, _) => (MessageKind::NotApplicable, vec![Intent::Other]),
            (Direction::Inbound, "answered", Some(said)) if self.rng.chance(0.6) => {
                let (text, intents) = customer_text(self.rng, said, self.c.lang, &self.slots);
                m.text = text;
                (self.said_kind(said), intents)
            }
            (Direction::Inbound, _, Some(said)) => {
                let (_, intents) = customer_text(self.rng, said, self.c.lang, &self.slots);
                (self.said_kind(said), intents)
            }
            (Direction::Inbound, _, None) => (self.lead_kind(), vec![Intent::CallbackRequest]),
        };
        self.push(m, kind, intents, Vec::new())
    }

    fn said_kind(&self, said: Said) -> MessageKind {
        match said {
            Said::Complaint | Said::Refund => MessageKind::Support,
            Said::OptOut => MessageKind::OptOut,
            Said::Spam => MessageKind::Spam,
            Said::OutOfOffice | Said::Bounce => MessageKind::AutoReply,
            Said::Praise => MessageKind::NotApplicable,
            Said::OrderStatus | Said::Payment | Said::Thanks | Said::Accept | Said::Greeting => {
                MessageKind::ExistingCustomer
            }
            Said::Purchase | Said::Price | Said::Callback | Said::Booking | Said::SocialWant => {
                self.lead_kind()
            }
        }
    }

    fn sales_said(&mut self) -> Said {
        *self.rng.pick(&[
            Said::Purchase,
            Said::Price,
            Said::Price,
            Said::Callback,
            Said::Booking,
        ])
    }

    // ---- first contacts (leads) ----

    /// Web form, then a call, then a messenger: one conversation across three channels.
    fn form_call_messenger(&mut self) {
        let p = self.c.person;
        let ru = self.russian() && self.rng.chance(0.85);
        let said = self.sales_said();
        let (comment, mut intents) = customer_text(self.rng, said, self.c.lang, &self.slots);
        let mut m = self.new_message(Channel::WebForm, Direction::Inbound);
        let style = NameStyle {
            other_script: 0.05,
            nickname: 0.1,
            patronymic: 0.05,
            surname_first: 0.1,
            given_only: 0.4,
            initials: 0.0,
            typo: 0.03,
            case: 0.08,
            wrong_layout: 0.01,
            yo_as_e: 0.6,
        };
        let (name, _) = p.written_name(self.rng, &style);
        let ph = self.phone();
        let (raw_phone, _) = ph.written(self.rng, None);
        let mut contacts = vec![Identifier::new(K::Phone, ph.e164())];
        let f = &mut m.form_fields;
        let title = if ru {
            *self.rng.pick(&[
                "Заказать звонок",
                "Заявка на расчёт",
                "Обратная связь",
                "Купить в один клик",
            ])
        } else {
            *self
                .rng
                .pick(&["Request a callback", "Contact us", "Get a quote"])
        };
        m.subject = Some(title.into());
        let (k_name, k_phone, k_email, k_comment) = if ru {
            *self.rng.pick(&[
                ("Имя", "Телефон", "E-mail", "Комментарий"),
                ("Ваше имя", "Ваш телефон", "Email", "Сообщение"),
                ("name", "phone", "email", "comment"),
            ])
        } else {
            ("name", "phone", "email", "comment")
        };
        f.insert(k_name.into(), name);
        f.insert(k_phone.into(), raw_phone);
        if self.rng.chance(0.5) {
            if let Some(addr) = self.email_address() {
                contacts.push(Identifier::new(K::Email, mailbox_key(&addr)));
                m.form_fields.insert(k_email.into(), addr);
            }
        }
        if self.rng.chance(0.7) {
            m.form_fields.insert(k_comment.into(), comment);
        } else {
            intents = vec![Intent::CallbackRequest];
        }
        if self.rng.chance(0.3) {
            m.metadata.insert(
                "utm_source".into(),
                json!(*self.rng.pick(&["yandex", "google", "vk", "instagram"])),
            );
        }
        let kind = self.lead_kind();
        self.push(m, kind, intents, contacts);
        self.later(300, 5400);
        let answered = self.rng.chance(0.75);
        self.call(
            Direction::Outbound,
            if answered { "answered" } else { "no_answer" },
            None,
        );
        let ch = self.messenger();
        self.later(120, 7200);
        self.reply(
            ch.clone(),
            if answered {
                Reply::CallbackSummary
            } else {
                Reply::PriceAnswer
            },
        );
        self.later(60, 14_400);
        let next = *self.rng.pick(&[Said::Accept, Said::Accept, Said::Payment]);
        self.say(ch.clone(), next, Some(MessageKind::ExistingCustomer), None);
        if next == Said::Accept || self.rng.chance(0.5) {
            self.later(600, 7200);
            let confirm = if self.rng.chance(0.5) {
                Channel::Sms
            } else {
                ch.clone()
            };
            self.reply(confirm, Reply::OrderConfirmed);
            self.shipped_push();
            if self.rng.chance(0.4) {
                self.later(86_400, 5 * 86_400);
                self.say(ch, Said::Thanks, Some(MessageKind::ExistingCustomer), None);
            }
        }
    }

    /// A price question in a messenger, an answer, maybe an order.
    fn messenger_price(&mut self) {
        let ch = self.messenger();
        if self.rng.chance(0.3) {
            let kind = self.lead_kind();
            self.say(ch.clone(), Said::Greeting, Some(kind), None);
            self.later(5, 120);
        }
        let said = if self.rng.chance(0.6) {
            Said::Price
        } else {
            Said::Purchase
        };
        let contact = if self.rng.chance(0.2) {
            self.contact_any()
        } else {
            None
        };
        let kind = self.lead_kind();
        self.say(ch.clone(), said, Some(kind), contact);
        self.later(60, 3 * 3600);
        self.reply(ch.clone(), Reply::PriceAnswer);
        if self.rng.chance(0.55) {
            self.later(60, 6 * 3600);
            self.say(
                ch.clone(),
                Said::Accept,
                Some(MessageKind::ExistingCustomer),
                None,
            );
            self.later(300, 3600);
            self.reply(ch, Reply::OrderConfirmed);
            self.shipped_push();
        } else if self.rng.chance(0.4) {
            self.later(86_400, 3 * 86_400);
            self.reply(ch, Reply::FollowUp);
        }
    }

    /// A comment under a social post, a DM asking for a number, a phone left in the DM, a call.
    fn social_comment(&mut self) {
        let p = self.c.person;
        let ch = if p.instagram.is_some() && (p.vk_id.is_none() || self.rng.chance(0.7)) {
            Channel::Instagram
        } else if p.vk_id.is_some() {
            Channel::Vk
        } else {
            return self.messenger_price();
        };
        let post = format!("post-{}", self.rng.hex(10));
        let comment = |m: &mut Message| {
            m.metadata.insert("type".into(), json!("comment"));
            m.refs.conversation_id = Some(post.clone());
        };
        if self.rng.chance(0.3) {
            let (text, intents) = customer_text(self.rng, Said::Praise, self.c.lang, &self.slots);
            let mut m = self.new_message(ch.clone(), Direction::Inbound);
            m.text = text;
            comment(&mut m);
            self.push(m, MessageKind::NotApplicable, intents, Vec::new());
            self.later(600, 3 * 86_400);
        }
        let (text, intents) = customer_text(self.rng, Said::SocialWant, self.c.lang, &self.slots);
        let mut m = self.new_message(ch.clone(), Direction::Inbound);
        m.text = text;
        comment(&mut m);
        // Praise before it does not make this less of a new lead.
        let kind = self.lead_kind();
        self.push(m, kind, intents, Vec::new());
        self.later(300, 7200);
        let mut m = self.new_message(ch.clone(), Direction::Outbound);
        m.text = business_text(self.rng, Reply::AskContact, self.c.lang, &self.slots);
        m.metadata.insert("type".into(), json!("dm"));
        self.push(
            m,
            MessageKind::NotApplicable,
            vec![Intent::Other],
            Vec::new(),
        );
        if self.rng.chance(0.7) {
            self.later(300, 86_400);
            let (_, raw, id) = self.contact_phone();
            let (text, intents) = customer_text(self.rng, Said::Callback, self.c.lang, &self.slots);
            let phrase = contact_phrase(self.rng, self.c.lang, "phone", &raw);
            let mut m = self.new_message(ch, Direction::Inbound);
            m.text = join_contact(&text, &phrase);
            m.metadata.insert("type".into(), json!("dm"));
            self.push(m, MessageKind::ExistingCustomer, intents, vec![id]);
            self.later(600, 4 * 3600);
            self.call(Direction::Outbound, "answered", None);
        }
    }

    /// Missed calls, a call back, an SMS with the details.
    fn missed_call(&mut self) {
        self.call(Direction::Inbound, "missed", None);
        if self.rng.chance(0.3) {
            self.later(120, 900);
            let kind = MessageKind::ExistingCustomer;
            let mut m = self.new_message(Channel::Voice, Direction::Inbound);
            m.metadata.insert("call_status".into(), json!("missed"));
            m.metadata.insert("duration_s".into(), json!(0));
            self.push(m, kind, vec![Intent::CallbackRequest], Vec::new());
        }
        self.later(300, 4 * 3600);
        self.call(Direction::Outbound, "answered", None);
        self.later(120, 3600);
        let r = if self.rng.chance(0.5) {
            Reply::CallbackSummary
        } else {
            Reply::OrderConfirmed
        };
        self.reply(Channel::Sms, r);
    }

    /// An email thread: question, answer, reply, confirmation; sometimes a second thread.
    fn email_inquiry(&mut self) {
        if self.c.person.emails.is_empty() {
            return self.messenger_price();
        }
        self.subject = self.email_subject();
        let said = self.sales_said();
        let (mut text, intents) = customer_text(self.rng, said, self.c.lang, &self.slots);
        let mut contacts = Vec::new();
        if self.rng.chance(0.4) {
            // A signature with a phone.
            let (_, raw, id) = self.contact_phone();
            let name = self.c.person.written_name(self.rng, &self.name_style()).0;
            let regards = if self.russian() {
                "С уважением"
            } else {
                "Best regards"
            };
            let company = self
                .c
                .company
                .map(|c| format!("\n{}", c.written(self.rng)))
                .unwrap_or_default();
            text = format!("{text}\n\n--\n{regards},\n{name}{company}\n{raw}");
            contacts.push(id);
        }
        let kind = self.lead_kind();
        let mut m = self.new_message(Channel::Email, Direction::Inbound);
        m.text = text;
        self.email_refs(&mut m, false);
        self.push(m, kind, intents, contacts);
        self.later(900, 86_400);
        self.reply(Channel::Email, Reply::PriceAnswer);
        if self.rng.chance(0.7) {
            self.later(900, 2 * 86_400);
            let next = *self.rng.pick(&[Said::Accept, Said::Payment]);
            self.say(
                Channel::Email,
                next,
                Some(MessageKind::ExistingCustomer),
                None,
            );
            self.later(900, 86_400);
            self.reply(Channel::Email, Reply::OrderConfirmed);
        }
        if self.rng.chance(0.15) {
            // A second, separate thread minutes later: must not merge with the first.
            self.thread.clear();
            self.subject = self.email_subject();
            self.later(60, 900);
            let kind = MessageKind::ExistingCustomer;
            self.say(Channel::Email, Said::Booking, Some(kind), None);
            self.later(900, 86_400);
            self.reply(Channel::Email, Reply::BookingConfirmed);
        }
    }

    fn email_subject(&mut self) -> String {
        let s = &self.slots;
        if self.russian() {
            match self.rng.below(5) {
                0 => format!("Запрос цены: {}", s.product_ru_nom),
                1 => "Заказ".into(),
                2 => "Вопрос по товару".into(),
                3 => format!("Заказ {}", s.order),
                _ => "Коммерческое предложение".into(),
            }
        } else {
            match self.rng.below(3) {
                0 => format!("Price request: {}", s.product_en),
                1 => "Order enquiry".into(),
                _ => format!("Question about {}", s.product_en),
            }
        }
    }

    /// A live-chat session on the site: the customer leaves an email or phone; we follow up.
    fn live_chat(&mut self) {
        self.session = Some(format!("sess-{}", self.rng.hex(16)));
        let kind = self.lead_kind();
        self.say(Channel::LiveChat, Said::Greeting, Some(kind), None);
        self.later(10, 90);
        let said = self.sales_said();
        self.say(Channel::LiveChat, said, Some(kind), None);
        self.later(20, 240);
        self.reply(Channel::LiveChat, Reply::PriceAnswer);
        self.later(20, 300);
        let contact = self.contact_any();
        let follow_channel = match contact.as_ref().map(|c| c.0) {
            Some("email") => Channel::Email,
            Some("telegram") if self.c.person.telegram_id.is_some() => Channel::Telegram,
            _ => Channel::Voice,
        };
        self.say(
            Channel::LiveChat,
            Said::Accept,
            Some(MessageKind::ExistingCustomer),
            contact,
        );
        self.session = None;
        self.later(1800, 86_400);
        if follow_channel == Channel::Voice {
            self.call(Direction::Outbound, "answered", None);
        } else {
            if follow_channel == Channel::Email {
                self.subject = self.email_subject();
            }
            self.reply(follow_channel, Reply::OrderConfirmed);
        }
    }

    /// A booking through the chatbot, a confirmation, then the visit.
    fn chatbot_booking(&mut self) {
        let platform = if self.c.person.telegram_id.is_some() {
            "telegram"
        } else {
            "web"
        };
        let mut m = self.new_message(Channel::Chatbot, Direction::Inbound);
        m.text = "/start".into();
        m.metadata.insert("platform".into(), json!(platform));
        let kind = self.lead_kind();
        self.push(m, kind, vec![Intent::Other], Vec::new());
        self.later(1, 5);
        self.reply(Channel::Chatbot, Reply::BotMenu);
        self.later(10, 300);
        let kind = self.lead_kind();
        self.say(Channel::Chatbot, Said::Booking, Some(kind), None);
        self.later(1, 10);
        self.reply(Channel::Chatbot, Reply::BookingConfirmed);
        if self.rng.chance(0.7) {
            self.later(86_400, 7 * 86_400);
            self.visit(Some(MessageKind::ExistingCustomer));
        }
    }

    /// A visit to the showroom or store; a receipt by SMS.
    fn visit(&mut self, kind: Option<MessageKind>) {
        let mut m = self.new_message(Channel::Visit, Direction::Inbound);
        if self.rng.chance(0.2) {
            m.from.identifiers.clear(); // paid cash, no loyalty card
        }
        m.text = if self.russian() {
            format!(
                "Покупка в магазине: {}, {} шт.",
                self.slots.product_ru_nom, self.slots.qty
            )
        } else {
            format!(
                "In-store purchase: {}, {} pcs",
                self.slots.product_en, self.slots.qty
            )
        };
        m.metadata.insert(
            "store".into(),
            json!(*self
                .rng
                .pick(&["ТЦ «Мега», Химки", "ул. Садовая, 12", "ТРК «Галерея»"])),
        );
        m.metadata
            .insert("receipt_total".into(), json!(self.slots.price));
        let kind = kind.unwrap_or_else(|| self.lead_kind());
        self.push(m, kind, vec![Intent::Purchase], Vec::new());
        if self.rng.chance(0.6) {
            self.later(60, 1800);
            self.reply(Channel::Sms, Reply::VisitReceipt);
        }
    }

    // ---- later conversations (known customers) ----

    fn order_status(&mut self) {
        let ch = match self.rng.below(4) {
            0 if !self.c.person.emails.is_empty() => Channel::Email,
            1 => Channel::Voice,
            _ => self.messenger(),
        };
        if ch == Channel::Voice {
            self.call(Direction::Inbound, "answered", Some(Said::OrderStatus));
            self.later(600, 7200);
            self.reply(Channel::Sms, Reply::StatusAnswer);
            return;
        }
        if ch == Channel::Email {
            self.subject = if self.rng.chance(0.3) {
                format!("Fwd: Заказ {} оформлен", self.slots.order)
            } else {
                format!("Заказ {}", self.slots.order)
            };
        }
        self.say(
            ch.clone(),
            Said::OrderStatus,
            Some(MessageKind::ExistingCustomer),
            None,
        );
        self.later(300, 4 * 3600);
        self.reply(ch.clone(), Reply::StatusAnswer);
        if self.rng.chance(0.5) {
            self.later(86_400, 4 * 86_400);
            self.say(ch, Said::Thanks, Some(MessageKind::ExistingCustomer), None);
        }
    }

    fn complaint(&mut self) {
        let ch = self.messenger();
        self.say(
            ch.clone(),
            Said::Complaint,
            Some(MessageKind::Support),
            None,
        );
        self.later(600, 6 * 3600);
        self.reply(ch.clone(), Reply::Apology);
        if self.rng.chance(0.6) {
            self.later(3600, 86_400);
            self.say(ch.clone(), Said::Refund, Some(MessageKind::Support), None);
            self.later(3600, 2 * 86_400);
            self.reply(ch.clone(), Reply::RefundDone);
            if self.rng.chance(0.3) {
                self.later(3 * 86_400, 10 * 86_400);
                self.say(ch, Said::Thanks, Some(MessageKind::ExistingCustomer), None);
            }
        }
    }

    fn marketing(&mut self) {
        let mut options = vec![Channel::Sms, Channel::Sms];
        if self.c.whatsapp {
            options.push(Channel::Whatsapp);
        }
        if !self.c.person.emails.is_empty() {
            options.push(Channel::Email);
        }
        if self.c.person.viber_id.is_some() {
            options.push(Channel::Viber);
        }
        if self.c.app_token.is_some() {
            options.push(Channel::AppPush);
        }
        let ch = self.rng.pick(&options).clone();
        if ch == Channel::Email {
            self.subject = if self.russian() {
                "Скидки недели".into()
            } else {
                "This week's deals".into()
            };
        }
        self.reply(ch.clone(), Reply::Promo);
        if ch != Channel::AppPush && self.rng.chance(0.4) {
            self.later(60, 2 * 86_400);
            self.say(ch, Said::OptOut, Some(MessageKind::OptOut), None);
        }
    }

    fn notification(&mut self) {
        let ch = match (&self.c.app_token, &self.c.web_push) {
            (Some(_), _) if self.rng.chance(0.6) => Channel::AppPush,
            (_, Some(_)) => Channel::WebPush,
            (Some(_), None) => Channel::AppPush,
            (None, None) => Channel::Sms,
        };
        self.reply(ch, Reply::Shipped);
    }

    /// A push notification that the order has shipped, when the customer has the app or
    /// allowed web push.
    fn shipped_push(&mut self) {
        if (self.c.app_token.is_some() || self.c.web_push.is_some()) && self.rng.chance(0.6) {
            self.later(86_400, 3 * 86_400);
            self.notification();
        }
    }

    fn out_of_office(&mut self) {
        if self.c.person.emails.is_empty() {
            return self.order_status();
        }
        self.subject = if self.russian() {
            "Ваш заказ".into()
        } else {
            "Your order".into()
        };
        self.reply(Channel::Email, Reply::FollowUp);
        self.later(5, 120);
        let (text, intents) = customer_text(self.rng, Said::OutOfOffice, self.c.lang, &self.slots);
        let mut m = self.new_message(Channel::Email, Direction::Inbound);
        m.text = text;
        self.email_refs(&mut m, false);
        let auto = if self.russian() {
            "Автоответ: "
        } else {
            "Automatic reply: "
        };
        m.subject = Some(format!("{auto}Re: {}", self.subject));
        m.metadata
            .insert("auto_submitted".into(), json!("auto-replied"));
        self.push(m, MessageKind::AutoReply, intents, Vec::new());
    }

    fn bounce(&mut self) {
        let p = self.c.person;
        let dead = match p.emails.first() {
            Some(m) if p.emails.len() > 1 => m.address(),
            Some(m) => format!("{}.old@{}", m.local, m.domain),
            None => return self.marketing(),
        };
        self.slots.bounced = dead.clone();
        self.subject = if self.russian() {
            "Скидки недели".into()
        } else {
            "This week's deals".into()
        };
        let mut m = self.new_message(Channel::Email, Direction::Outbound);
        m.to.identifiers = vec![Identifier::new(K::Email, mailbox_key(&dead))];
        m.metadata
            .insert("to_header".into(), json!(format!("<{dead}>")));
        m.text = business_text(self.rng, Reply::Promo, self.c.lang, &self.slots);
        self.email_refs(&mut m, true);
        self.push(
            m,
            MessageKind::NotApplicable,
            vec![Intent::Other],
            Vec::new(),
        );
        self.later(2, 60);
        let (text, intents) = customer_text(self.rng, Said::Bounce, self.c.lang, &self.slots);
        let mut m = self.new_message(Channel::Email, Direction::Inbound);
        m.from = Party {
            identifiers: vec![Identifier::new(
                K::Email,
                format!("mailer-daemon@mx.{SHOP_DOMAIN}"),
            )],
            display_name: Some("Mail Delivery System".into()),
        };
        m.text = text;
        self.email_refs(&mut m, true);
        m.subject = Some(
            if self.russian() {
                "Недоставленное сообщение"
            } else {
                "Undelivered Mail Returned to Sender"
            }
            .into(),
        );
        m.metadata
            .insert("auto_submitted".into(), json!("auto-generated"));
        m.metadata.remove("from_header");
        self.push(m, MessageKind::AutoReply, intents, Vec::new());
    }
}

fn new_slots(rng: &mut SynthRng, p: &Person, lang: Lang, t: i64) -> Slots {
    let (nom, acc, en, base) = *rng.pick(PRODUCTS);
    let qty = if rng.chance(0.7) {
        1
    } else {
        rng.range(2, 6) as u32
    };
    let order = match rng.below(4) {
        0 | 1 => format!("№{}", rng.range(10_000, 99_999)),
        2 => format!("#{}", rng.range(10_000, 99_999)),
        _ => format!("№ UD-{}", rng.range(100_000, 999_999)),
    };
    let ahead = t + rng.range(2, 14) as i64 * 86_400;
    Slots {
        product_ru: acc,
        product_ru_nom: nom,
        product_en: en,
        qty,
        price: base * qty,
        order,
        date: date_text(ahead, lang),
        time: format!("{}:00", rng.range(10, 19)),
        city: p.city.name,
        name: p.given.native.to_string(),
        female: p.given.female,
        bounced: String::new(),
    }
}

/// Writes all conversations of one customer.
pub(crate) fn customer(
    out: &mut Output,
    rng: &mut SynthRng,
    p: &Person,
    pop: &Population,
    span: (i64, i64),
) {
    let (start, end) = span;
    let lang = if is_russian(p) || rng.chance(0.3) {
        Lang::Ru
    } else {
        Lang::En
    };
    let whatsapp = rng.chance(if is_russian(p) { 0.75 } else { 0.6 });
    let mut messengers = Vec::new();
    if whatsapp {
        messengers.push(Channel::Whatsapp);
    }
    if p.telegram_id.is_some() {
        messengers.push(Channel::Telegram);
    }
    if p.viber_id.is_some() {
        messengers.push(Channel::Viber);
    }
    if p.vk_id.is_some() && rng.chance(0.5) {
        messengers.push(Channel::Vk);
    }
    // The favourite first.
    if messengers.len() > 1 {
        let i = rng.index(messengers.len());
        messengers.swap(0, i);
    }
    let mut c = Customer {
        person: p,
        company: p.employer.map(|i| &pop.companies[i]),
        lang,
        whatsapp,
        visitor: format!("v-{}", rng.hex(20)),
        app_token: rng.chance(0.35).then(|| format!("fcm:{}", rng.hex(32))),
        web_push: rng
            .chance(0.2)
            .then(|| format!("https://push.example/wp/{}", rng.hex(24))),
        known: false,
        messengers,
    };
    let stories = 1 + rng.weighted(&[4, 3, 3]);
    let span_len = (end - start).max(86_400);
    let mut t = start + rng.below((span_len as f64 * 0.6) as u64) as i64;
    for s in 0..stories {
        if t >= end {
            break;
        }
        if rng.chance(0.3) {
            c.visitor = format!("v-{}", rng.hex(20)); // cleared cookies, new device
        }
        let slots = new_slots(rng, p, lang, t);
        let id = out.next_conversation();
        let was_known = c.known;
        let mut conv = Conv {
            out,
            rng,
            c: &mut c,
            id,
            t,
            end,
            slots,
            thread: Vec::new(),
            subject: String::new(),
            session: None,
            was_known,
        };
        if s == 0 {
            match conv.rng.weighted(&[20, 18, 9, 12, 12, 10, 6, 5]) {
                0 => conv.form_call_messenger(),
                1 => conv.messenger_price(),
                2 => conv.social_comment(),
                3 => conv.missed_call(),
                4 => conv.email_inquiry(),
                5 => conv.live_chat(),
                6 => conv.chatbot_booking(),
                _ => conv.visit(None),
            }
        } else {
            match conv.rng.weighted(&[25, 15, 15, 8, 7, 6, 12, 6, 6]) {
                0 => conv.order_status(),
                1 => conv.complaint(),
                2 => conv.marketing(),
                3 => conv.notification(),
                4 => conv.out_of_office(),
                5 => conv.bounce(),
                6 => conv.messenger_price(),
                7 => conv.form_call_messenger(),
                _ => conv.live_chat(),
            }
        }
        t = conv.t + rng.range(14, 90) as i64 * 86_400;
    }
}

/// Writes a spammer's messages: SEO offers by email, junk in web forms, comment spam.
pub(crate) fn spammer(out: &mut Output, rng: &mut SynthRng, p: &Person, span: (i64, i64)) {
    let (start, end) = span;
    let lang = if rng.chance(0.6) { Lang::Ru } else { Lang::En };
    let mut c = Customer {
        person: p,
        company: None,
        lang,
        whatsapp: true,
        visitor: format!("v-{}", rng.hex(20)),
        app_token: None,
        web_push: None,
        known: false,
        messengers: vec![Channel::Whatsapp],
    };
    let n = 1 + rng.below(3);
    for _ in 0..n {
        let t = start + rng.below((end - start).max(1) as u64) as i64;
        let slots = new_slots(rng, p, lang, t);
        let id = out.next_conversation();
        let mut conv = Conv {
            out,
            rng,
            c: &mut c,
            id,
            t,
            end,
            slots,
            thread: Vec::new(),
            subject: String::new(),
            session: None,
            was_known: false,
        };
        match conv.rng.below(4) {
            0 if !p.emails.is_empty() => {
                conv.subject = if lang == Lang::Ru {
                    "Сотрудничество".into()
                } else {
                    "Partnership offer".into()
                };
                conv.say(Channel::Email, Said::Spam, Some(MessageKind::Spam), None);
            }
            1 => {
                let mut m = conv.new_message(Channel::WebForm, Direction::Inbound);
                let junk = *conv
                    .rng
                    .pick(&["asdf", "test", "qwerty", "ааа", "Test Test"]);
                m.form_fields.insert("name".into(), junk.into());
                m.form_fields.insert(
                    "phone".into(),
                    conv.rng
                        .pick(&["1111111111", "0000000000", "123"])
                        .to_string(),
                );
                m.form_fields.insert(
                    "email".into(),
                    conv.rng.pick(PLACEHOLDER_EMAILS).to_string(),
                );
                if conv.rng.chance(0.5) {
                    let (text, _) = customer_text(conv.rng, Said::Spam, lang, &conv.slots);
                    m.form_fields.insert("comment".into(), text);
                }
                m.subject = Some("Обратная связь".into());
                conv.push(m, MessageKind::Spam, vec![Intent::Other], Vec::new());
            }
            2 if p.instagram.is_some() => {
                let mut m = conv.new_message(Channel::Instagram, Direction::Inbound);
                m.text = customer_text(conv.rng, Said::Spam, lang, &conv.slots).0;
                m.metadata.insert("type".into(), json!("comment"));
                m.refs.conversation_id = Some(format!("post-{}", conv.rng.hex(10)));
                conv.push(m, MessageKind::Spam, vec![Intent::Other], Vec::new());
            }
            _ => {
                conv.say(Channel::Whatsapp, Said::Spam, Some(MessageKind::Spam), None);
            }
        }
    }
}
