//! Message texts in Russian and English: templates with slots, and the intents each one carries.

use super::Intent;
use crate::rng::SynthRng;

/// The language a customer writes in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lang {
    Ru,
    En,
}

/// What a customer says in one message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Said {
    Greeting,
    Purchase,
    Price,
    Callback,
    Booking,
    OrderStatus,
    Payment,
    Complaint,
    Refund,
    Thanks,
    OptOut,
    /// Praise on a social post without any wish to buy (`красиво 😍`).
    Praise,
    /// A social comment that shows wanting (`хочу такую же`, `price pls`).
    SocialWant,
    /// Agreeing to buy after a price was given (`Беру!`).
    Accept,
    Spam,
    OutOfOffice,
    Bounce,
}

/// What the business says in one message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reply {
    PriceAnswer,
    AskContact,
    OrderConfirmed,
    Shipped,
    Promo,
    RefundDone,
    Apology,
    BookingConfirmed,
    CallbackSummary,
    BotMenu,
    FollowUp,
    StatusAnswer,
    VisitReceipt,
}

/// Values for the slots of a template.
pub(crate) struct Slots {
    /// The product in the accusative (`хочу купить кресло-качалку`).
    pub product_ru: &'static str,
    /// The product in the nominative (`кресло-качалка есть в наличии?`).
    pub product_ru_nom: &'static str,
    pub product_en: &'static str,
    pub qty: u32,
    pub price: u32,
    pub order: String,
    pub date: String,
    pub time: String,
    pub city: &'static str,
    pub name: String,
    pub female: bool,
    pub bounced: String,
}

/// Products of the invented shop: (Russian nominative, Russian accusative, English, price in
/// roubles).
pub(crate) static PRODUCTS: &[(&str, &str, &str, u32)] = &[
    ("диван «Осло»", "диван «Осло»", "Oslo sofa", 54_990),
    ("кресло-качалка", "кресло-качалку", "rocking chair", 18_490),
    (
        "шкаф-купе 180 см",
        "шкаф-купе 180 см",
        "180 cm sliding wardrobe",
        42_900,
    ),
    ("кухонный стол", "кухонный стол", "kitchen table", 15_990),
    (
        "матрас 160×200",
        "матрас 160×200",
        "160x200 mattress",
        23_500,
    ),
    (
        "комод «Сканди»",
        "комод «Сканди»",
        "Scandi chest of drawers",
        12_990,
    ),
    (
        "прикроватная тумбочка",
        "прикроватную тумбочку",
        "bedside table",
        4_990,
    ),
    ("стеллаж «Лофт»", "стеллаж «Лофт»", "Loft bookcase", 9_490),
    ("кровать «Верона»", "кровать «Верона»", "Verona bed", 67_000),
    (
        "комплект стульев",
        "комплект стульев",
        "set of dining chairs",
        25_960,
    ),
    ("угловой диван", "угловой диван", "corner sofa", 89_990),
    ("детская кровать", "детскую кровать", "kids bed", 21_990),
];

fn fill(template: &str, s: &Slots, lang: Lang) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let slot = &rest[open + 1..open + close];
        match slot {
            "product" => out.push_str(if lang == Lang::Ru {
                s.product_ru
            } else {
                s.product_en
            }),
            "product_nom" => out.push_str(if lang == Lang::Ru {
                s.product_ru_nom
            } else {
                s.product_en
            }),
            "qty" => out.push_str(&s.qty.to_string()),
            "price" => match lang {
                Lang::Ru => {
                    out.push_str(&group_thousands(s.price, ' '));
                    out.push_str(" ₽");
                }
                Lang::En => {
                    out.push_str(&group_thousands(s.price, ','));
                    out.push_str(" RUB");
                }
            },
            "order" => out.push_str(&s.order),
            "date" => out.push_str(&s.date),
            "time" => out.push_str(&s.time),
            "city" => out.push_str(s.city),
            "name" => out.push_str(&s.name),
            "addr" => out.push_str(&s.bounced),
            "got" => out.push_str(if s.female {
                "получила"
            } else {
                "получил"
            }),
            "paid" => out.push_str(if s.female {
                "оплатила"
            } else {
                "оплатил"
            }),
            // Left for the caller ({product_tr}).
            other => {
                out.push('{');
                out.push_str(other);
                out.push('}');
            }
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

fn group_thousands(n: u32, sep: char) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// A customer's message for `said`, with its intents.
pub(crate) fn customer_text(
    rng: &mut SynthRng,
    said: Said,
    lang: Lang,
    s: &Slots,
) -> (String, Vec<Intent>) {
    use Intent::*;
    let (ru, en, intents): (&[&str], &[&str], &[Intent]) = match said {
        Said::Greeting => (
            &["Здравствуйте", "Добрый день!", "Привет", "Здравствуйте, можно вопрос?"],
            &["Hello", "Hi there", "Good afternoon", "Hi, quick question"],
            &[GreetingThanks],
        ),
        Said::Purchase => (
            &[
                "Здравствуйте! Хочу заказать {product}, {qty} шт. Как оформить?",
                "Добрый день, хочу купить {product}. Доставка в {city} есть?",
                "хочу купить {product}",
                "Оформите мне {product}, пожалуйста",
                "Хотим заказать {product} в офис, {qty} шт., нужен счёт на юрлицо",
                "hochu kupit {product_tr}, kak oformit?",
                "Добрый вечер) {product_nom} ещё продаётся? Беру",
            ],
            &[
                "Hi, I'd like to order {product}, {qty} pcs. How do I proceed?",
                "I want to buy {product}. Do you deliver to {city}?",
                "Please put me down for {product}",
                "We'd like to order {product} for our office, {qty} units, invoice to the company",
            ],
            &[Purchase],
        ),
        Said::Price => (
            &[
                "Сколько стоит {product_nom}?",
                "Подскажите цену на {product} и сроки доставки",
                "Добрый день, {product_nom} есть в наличии? Какая цена?",
                "цена на {product}?",
                "Есть ли скидка на {product} если взять {qty} шт?",
                "tsena na {product_tr}?",
            ],
            &[
                "How much is {product}?",
                "Is {product} in stock? What's the price?",
                "price for {product} pls",
                "Any discount on {product} if I take {qty}?",
            ],
            &[PriceQuestion],
        ),
        Said::Callback => (
            &[
                "Перезвоните мне, пожалуйста",
                "Прошу перезвонить по поводу {product}",
                "Позвоните мне после 18:00",
                "Свяжитесь со мной, хочу обсудить заказ",
                "Наберите меня, пожалуйста, когда будет удобно",
            ],
            &[
                "Please call me back",
                "Could someone call me about {product}?",
                "Call me after 6 pm please",
                "Please get in touch, I'd like to discuss an order",
            ],
            &[CallbackRequest],
        ),
        Said::Booking => (
            &[
                "Хочу записаться на замер {date} в {time}",
                "Можно забронировать {product} до {date}?",
                "Запишите меня на консультацию в шоурум на {date}",
                "Есть свободное время для замера на {date}?",
            ],
            &[
                "I'd like to book a measurement visit on {date} at {time}",
                "Can you reserve {product} for me until {date}?",
                "Please book me a showroom consultation on {date}",
            ],
            &[Booking],
        ),
        Said::OrderStatus => (
            &[
                "Где мой заказ {order}?",
                "Подскажите, когда доставят заказ {order}?",
                "Заказ {order} уже отправлен?",
                "Добрый день, по заказу {order} есть новости? Жду уже неделю",
                "когда привезут {product_nom}? заказ {order}",
            ],
            &[
                "Where is my order {order}?",
                "When will order {order} be delivered?",
                "Has order {order} shipped yet?",
                "Any update on order {order}? It's been a week",
            ],
            &[OrderStatus],
        ),
        Said::Payment => (
            &[
                "Пришлите, пожалуйста, счёт на оплату заказа {order}",
                "{paid} заказ {order}, проверьте, пожалуйста",
                "Можно оплатить картой при получении?",
                "Оплату по заказу {order} отправили, платёжка во вложении",
            ],
            &[
                "Please send the invoice for order {order}",
                "I've paid for order {order}, please check",
                "Can I pay by card on delivery?",
            ],
            &[Payment],
        ),
        Said::Complaint => (
            &[
                "Привезли {product} с царапиной, заказ {order}. Это безобразие!",
                "Доставка опоздала на три дня, очень недоволен",
                "Курьер нагрубил, заказ {order}. Прошу разобраться",
                "{product_nom} с браком, дверца не закрывается",
                "Уже второй раз переносите доставку {order}, сколько можно?!",
            ],
            &[
                "The {product} arrived scratched, order {order}. Not acceptable!",
                "Delivery was three days late, very disappointed",
                "The courier was rude, order {order}. Please look into it",
                "{product} is faulty, the door won't close",
            ],
            &[Complaint],
        ),
        Said::Refund => (
            &[
                "Хочу вернуть {product}, заказ {order}. Верните деньги",
                "Отмените заказ {order}, пожалуйста",
                "Прошу оформить возврат по заказу {order}",
                "Передумал(а), отмените {order}",
            ],
            &[
                "I want to return {product}, order {order}. Please refund me",
                "Please cancel order {order}",
                "I'd like a refund for order {order}",
            ],
            &[Refund],
        ),
        Said::Thanks => (
            &[
                "Спасибо, {got}!",
                "спасибо, всё пришло",
                "Большое спасибо, всё отлично 👍",
                "{got}, спасибо! Всё в порядке",
                "Спасибо, вопрос решён",
            ],
            &[
                "Thanks, got it!",
                "Thank you, that solved it",
                "Received, many thanks 👍",
                "All good, thanks a lot",
            ],
            &[GreetingThanks],
        ),
        Said::OptOut => (
            &[
                "СТОП",
                "стоп",
                "Стоп",
                "отписаться",
                "Отпишите меня от рассылки",
                "Не пишите мне больше",
                "STOP",
            ],
            &["STOP", "stop", "unsubscribe", "Unsubscribe", "remove me from your list", "Please stop texting me"],
            &[OptOut],
        ),
        Said::Praise => (
            &["красиво 😍", "Класс!", "🔥🔥🔥", "Очень стильно", "Какая прелесть", "👍"],
            &["beautiful 😍", "love it", "🔥🔥", "So stylish!", "nice"],
            &[GreetingThanks],
        ),
        Said::SocialWant => (
            &["хочу такую же", "сколько стоит?", "где купить?", "цена?", "В директ скиньте цену", "Хочу! Как заказать?"],
            &["price pls", "how much?", "where can I buy this?", "want one! how to order?"],
            &[PriceQuestion],
        ),
        Said::Accept => (
            &["Беру!", "Да, оформляйте", "Хорошо, давайте оформим", "Ок, заказываю {qty} шт"],
            &["I'll take it!", "Yes, please go ahead", "OK, let's place the order", "Great, ordering {qty}"],
            &[Purchase],
        ),
        Said::Spam => (
            &[
                "Продвижение сайтов в ТОП-10 Яндекса! Гарантия результата, звоните",
                "Ваш сайт теряет клиентов. Предлагаем бесплатный аудит",
                "Заработок от 5000 в день без вложений, пиши в директ",
                "Подпишись на мой профиль, там розыгрыш iPhone 🎁",
                "Базы клиентов по всей России, недорого. Пишите в телеграм",
            ],
            &[
                "SEO services: rank your site #1 on Google. Reply for a quote",
                "Congratulations! You have won a gift card, claim at prize-claim.example",
                "Buy real followers cheap, 10k for $5",
                "Crypto investment with 300% return, DM me",
            ],
            &[Other],
        ),
        Said::OutOfOffice => (
            &[
                "Я в отпуске до {date}. По срочным вопросам пишите коллеге.",
                "Спасибо за письмо! Это автоматический ответ: я отвечу после {date}.",
                "Автоответ: меня нет в офисе до {date}.",
            ],
            &[
                "I am out of the office until {date} with limited access to email.",
                "Thank you for your message. I'm away until {date} and will reply when I'm back.",
            ],
            &[Other],
        ),
        Said::Bounce => (
            &["Сообщение не доставлено.\n\nАдрес {addr} не существует или заблокирован.\n\nКод ошибки: 550 5.1.1 mailbox unavailable"],
            &["This is the mail system at host mx.uyut-dom.example.\n\nI'm sorry to have to inform you that your message could not be delivered to one or more recipients.\n\n<{addr}>: host mx said: 550 5.1.1 user unknown"],
            &[Other],
        ),
    };
    let list = if lang == Lang::En && !en.is_empty() {
        en
    } else {
        ru
    };
    let template = rng.pick(list);
    let mut text = fill(template, s, lang);
    if text.contains("{product_tr}") {
        let tr =
            crate::translit::transliterate(s.product_ru, crate::translit::TranslitSystem::Popular)
                .to_lowercase()
                .replace(['«', '»'], "");
        text = text.replace("{product_tr}", &tr);
    }
    (text, intents.to_vec())
}

/// A business message for `reply`.
pub(crate) fn business_text(rng: &mut SynthRng, reply: Reply, lang: Lang, s: &Slots) -> String {
    let (ru, en): (&[&str], &[&str]) = match reply {
        Reply::PriceAnswer => (
            &[
                "Здравствуйте, {name}! {product_nom} стоит {price}, есть в наличии. Оформить заказ?",
                "Добрый день! Цена — {price}, доставка 2–3 дня. Оформляем?",
            ],
            &["Hello {name}! {product} is {price} and in stock. Shall we place the order?"],
        ),
        Reply::AskContact => (
            &["Оставьте, пожалуйста, номер телефона — менеджер перезвонит", "Напишите нам в директ или оставьте номер, всё расскажем"],
            &["Please leave your phone number and a manager will call you back"],
        ),
        Reply::OrderConfirmed => (
            &[
                "Ваш заказ {order} оформлен. Сумма {price}. Доставка {date}.",
                "Заказ {order} принят, сумма к оплате {price}. Спасибо за покупку!",
            ],
            &["Your order {order} is confirmed. Total {price}. Delivery on {date}."],
        ),
        Reply::Shipped => (
            &["Заказ {order} передан в доставку, курьер привезёт {date}.", "Ваш заказ {order} в пути 🚚 Ожидайте {date}"],
            &["Order {order} has shipped, delivery on {date} 🚚"],
        ),
        Reply::Promo => (
            &[
                "Скидка 20% на диваны до {date}! Подробнее: uyut-dom.example/sale. Отписаться: СТОП",
                "{name}, только для вас: −15% на весь каталог до {date}. Отказ от рассылки: STOP",
            ],
            &["20% off sofas until {date}! Details: uyut-dom.example/sale. Reply STOP to opt out"],
        ),
        Reply::RefundDone => (
            &["Возврат по заказу {order} оформлен, деньги поступят в течение 10 дней."],
            &["The refund for order {order} is processed; the money will arrive within 10 days."],
        ),
        Reply::Apology => (
            &["Приносим извинения! Разберёмся и свяжемся с вами сегодня.", "{name}, извините за неудобства. Уже передали вопрос руководителю."],
            &["We're sorry! We'll look into it and get back to you today."],
        ),
        Reply::BookingConfirmed => (
            &["Вы записаны на {date} в {time}. Адрес шоурума: ул. Садовая, 12.", "Бронь подтверждена до {date}."],
            &["You're booked for {date} at {time}. See you at the showroom!"],
        ),
        Reply::CallbackSummary => (
            &["{name}, как договорились: {product_nom}, {qty} шт., {price}. Реквизиты для оплаты пришлём отдельно."],
            &["{name}, as agreed on the phone: {product}, {qty} pcs, {price}. Payment details to follow."],
        ),
        Reply::BotMenu => (
            &["Здравствуйте! Я бот магазина «Уютный дом». Выберите: 1 — каталог, 2 — статус заказа, 3 — запись на замер"],
            &["Hi! I'm the Cozy Home bot. Choose: 1 catalogue, 2 order status, 3 book a visit"],
        ),
        Reply::FollowUp => (
            &["{name}, добрый день! Вы интересовались: {product_nom}. Актуально?", "Напоминаем про ваш заказ {order}: ожидаем оплату."],
            &["Hi {name}, you asked about {product}. Still interested?"],
        ),
        Reply::StatusAnswer => (
            &["Заказ {order} на складе, доставка {date}.", "Ваш заказ {order} уже у курьера, привезёт {date}."],
            &["Order {order} is at the warehouse, delivery on {date}."],
        ),
        Reply::VisitReceipt => (
            &["Спасибо за покупку в «Уютном доме»! Чек на {price}. Бонусов начислено: {qty}00."],
            &["Thank you for shopping at Cozy Home! Receipt total {price}."],
        ),
    };
    let list = if lang == Lang::En { en } else { ru };
    let template: &&str = rng.pick(list);
    fill(template, s, lang)
}

/// A sentence that leaves a contact in the text (`мой номер 8 912 345-67-89`).
pub(crate) fn contact_phrase(rng: &mut SynthRng, lang: Lang, kind: &str, raw: &str) -> String {
    let list: &[&str] = match (lang, kind) {
        (Lang::Ru, "phone") => &[
            "мой номер {c}",
            "Телефон: {c}",
            "звоните {c}",
            "тел. {c}",
            "Мой телефон {c}, лучше вечером",
        ],
        (Lang::Ru, "email") => &["пишите на {c}", "моя почта {c}", "email: {c}", "Почта {c}"],
        (Lang::Ru, _) => &["тг {c}", "мой телеграм {c}", "пишите в телеграм {c}"],
        (Lang::En, "phone") => &["my number is {c}", "call me at {c}", "phone: {c}"],
        (Lang::En, "email") => &["email me at {c}", "my email is {c}"],
        (Lang::En, _) => &["telegram {c}", "my telegram is {c}"],
    };
    rng.pick(list).replace("{c}", raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slots() -> Slots {
        Slots {
            product_ru: PRODUCTS[1].1,
            product_ru_nom: PRODUCTS[1].0,
            product_en: PRODUCTS[1].2,
            qty: 2,
            price: 54_990,
            order: "№ 48213".into(),
            date: "12.03".into(),
            time: "15:00".into(),
            city: "Казань",
            name: "Анна".into(),
            female: true,
            bounced: "old@mail.ru".into(),
        }
    }

    #[test]
    fn every_template_fills_every_slot() {
        let mut rng = SynthRng::new(1);
        let s = slots();
        for said in [
            Said::Greeting,
            Said::Purchase,
            Said::Price,
            Said::Callback,
            Said::Booking,
            Said::OrderStatus,
            Said::Payment,
            Said::Complaint,
            Said::Refund,
            Said::Thanks,
            Said::OptOut,
            Said::Praise,
            Said::SocialWant,
            Said::Accept,
            Said::Spam,
            Said::OutOfOffice,
            Said::Bounce,
        ] {
            for lang in [Lang::Ru, Lang::En] {
                for _ in 0..40 {
                    let (text, intents) = customer_text(&mut rng, said, lang, &s);
                    assert!(!text.contains('{'), "{text}");
                    assert!(!intents.is_empty());
                }
            }
        }
        assert_eq!(group_thousands(1_234_567, ' '), "1 234 567");
        assert_eq!(group_thousands(990, ' '), "990");
    }

    #[test]
    fn thanks_agree_with_the_customers_gender() {
        let mut rng = SynthRng::new(2);
        let s = slots();
        for _ in 0..50 {
            let (text, _) = customer_text(&mut rng, Said::Thanks, Lang::Ru, &s);
            assert!(
                !text.contains("получил!") && !text.contains("получил,"),
                "{text}"
            );
        }
    }
}
