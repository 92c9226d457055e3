//! The generator's own tables of common given names, nicknames, patronymics and surnames.
//!
//! Kept independent of omni-core's name module on purpose: tests that check omni's name matching
//! against this data would prove nothing if both read the same table. Common names are not
//! personal data; every person is a random combination. Earlier entries are more common (people
//! are drawn Zipf-like by position), so namesakes occur as they do in real data.

/// A given name with its diminutives and the Latin spellings people use.
#[derive(Debug)]
pub(crate) struct GivenName {
    /// The name in its own script: Cyrillic for Russian names, Latin for English ones.
    pub native: &'static str,
    /// A female name.
    pub female: bool,
    /// Diminutives and nicknames in the name's own script (`Саша`, `Bill`).
    pub nicknames: &'static [&'static str],
    /// Conventional Latin spellings not produced by transliteration (`Alexander`, `Eugene`);
    /// for English names, empty.
    pub latin: &'static [&'static str],
    /// Latin nicknames people use for a Russian name (`Sasha`, `Alex`).
    pub latin_nicknames: &'static [&'static str],
    /// How a Russian operator writes an English name in Cyrillic (`Джон`); empty for Russian.
    pub cyrillic: &'static str,
    /// The patronymics made from a Russian male name: (son's, daughter's).
    pub patronymic: (&'static str, &'static str),
}

const fn ru_m(
    native: &'static str,
    patronymic: (&'static str, &'static str),
    nicknames: &'static [&'static str],
    latin: &'static [&'static str],
    latin_nicknames: &'static [&'static str],
) -> GivenName {
    GivenName {
        native,
        female: false,
        nicknames,
        latin,
        latin_nicknames,
        cyrillic: "",
        patronymic,
    }
}

const fn ru_f(
    native: &'static str,
    nicknames: &'static [&'static str],
    latin: &'static [&'static str],
    latin_nicknames: &'static [&'static str],
) -> GivenName {
    GivenName {
        native,
        female: true,
        nicknames,
        latin,
        latin_nicknames,
        cyrillic: "",
        patronymic: ("", ""),
    }
}

const fn en(
    native: &'static str,
    female: bool,
    nicknames: &'static [&'static str],
    cyrillic: &'static str,
) -> GivenName {
    GivenName {
        native,
        female,
        nicknames,
        latin: &[],
        latin_nicknames: &[],
        cyrillic,
        patronymic: ("", ""),
    }
}

/// Russian male given names, most common first, with the patronymics they give.
pub(crate) static RU_MALE: &[GivenName] = &[
    ru_m(
        "Александр",
        ("Александрович", "Александровна"),
        &["Саша", "Саня", "Шура"],
        &["Alexander", "Alexandr"],
        &["Sasha", "Alex"],
    ),
    ru_m(
        "Дмитрий",
        ("Дмитриевич", "Дмитриевна"),
        &["Дима", "Митя"],
        &["Dmitry", "Dmitri"],
        &["Dima"],
    ),
    ru_m(
        "Сергей",
        ("Сергеевич", "Сергеевна"),
        &["Серёжа", "Серега"],
        &["Sergey", "Serge"],
        &["Seryozha"],
    ),
    ru_m(
        "Андрей",
        ("Андреевич", "Андреевна"),
        &["Андрюша"],
        &["Andrey", "Andrew"],
        &["Andryusha"],
    ),
    ru_m(
        "Алексей",
        ("Алексеевич", "Алексеевна"),
        &["Лёша", "Алёша"],
        &["Alexey", "Alexei"],
        &["Lesha", "Alex"],
    ),
    ru_m(
        "Максим",
        ("Максимович", "Максимовна"),
        &["Макс"],
        &["Maxim"],
        &["Max"],
    ),
    ru_m(
        "Иван",
        ("Иванович", "Ивановна"),
        &["Ваня"],
        &["Ivan"],
        &["Vanya"],
    ),
    ru_m(
        "Михаил",
        ("Михайлович", "Михайловна"),
        &["Миша"],
        &["Mikhail", "Michael"],
        &["Misha"],
    ),
    ru_m(
        "Евгений",
        ("Евгеньевич", "Евгеньевна"),
        &["Женя"],
        &["Evgeny", "Eugene"],
        &["Zhenya"],
    ),
    ru_m(
        "Николай",
        ("Николаевич", "Николаевна"),
        &["Коля"],
        &["Nikolay", "Nicholas"],
        &["Kolya"],
    ),
    ru_m(
        "Владимир",
        ("Владимирович", "Владимировна"),
        &["Вова", "Володя"],
        &["Vladimir"],
        &["Vova"],
    ),
    ru_m(
        "Артём",
        ("Артёмович", "Артёмовна"),
        &["Тёма"],
        &["Artem", "Artyom"],
        &["Tyoma"],
    ),
    ru_m(
        "Павел",
        ("Павлович", "Павловна"),
        &["Паша"],
        &["Pavel", "Paul"],
        &["Pasha"],
    ),
    ru_m(
        "Игорь",
        ("Игоревич", "Игоревна"),
        &["Игорёк"],
        &["Igor"],
        &[],
    ),
    ru_m(
        "Кирилл",
        ("Кириллович", "Кирилловна"),
        &["Кира"],
        &["Kirill", "Cyril"],
        &[],
    ),
    ru_m(
        "Роман",
        ("Романович", "Романовна"),
        &["Рома"],
        &["Roman"],
        &["Roma"],
    ),
    ru_m(
        "Никита",
        ("Никитич", "Никитична"),
        &["Никитос"],
        &["Nikita"],
        &[],
    ),
    ru_m(
        "Илья",
        ("Ильич", "Ильинична"),
        &["Илюша"],
        &["Ilya", "Ilia"],
        &["Ilyusha"],
    ),
    ru_m(
        "Антон",
        ("Антонович", "Антоновна"),
        &["Антоша", "Тоша"],
        &["Anton"],
        &["Tosha"],
    ),
    ru_m(
        "Юрий",
        ("Юрьевич", "Юрьевна"),
        &["Юра"],
        &["Yury", "Yuri"],
        &["Yura"],
    ),
    ru_m(
        "Денис",
        ("Денисович", "Денисовна"),
        &["Дэн"],
        &["Denis"],
        &["Den"],
    ),
    ru_m(
        "Олег",
        ("Олегович", "Олеговна"),
        &["Олежка"],
        &["Oleg"],
        &[],
    ),
    ru_m(
        "Виктор",
        ("Викторович", "Викторовна"),
        &["Витя"],
        &["Victor"],
        &["Vitya"],
    ),
    ru_m(
        "Константин",
        ("Константинович", "Константиновна"),
        &["Костя"],
        &["Konstantin", "Constantine"],
        &["Kostya"],
    ),
    ru_m(
        "Владислав",
        ("Владиславович", "Владиславовна"),
        &["Влад", "Слава"],
        &["Vladislav"],
        &["Vlad"],
    ),
    ru_m(
        "Вадим",
        ("Вадимович", "Вадимовна"),
        &["Вадик"],
        &["Vadim"],
        &[],
    ),
    ru_m(
        "Егор",
        ("Егорович", "Егоровна"),
        &["Егорка"],
        &["Egor", "Yegor"],
        &[],
    ),
    ru_m(
        "Георгий",
        ("Георгиевич", "Георгиевна"),
        &["Жора", "Гоша"],
        &["George", "Georgy"],
        &["Gosha"],
    ),
    ru_m(
        "Пётр",
        ("Петрович", "Петровна"),
        &["Петя"],
        &["Petr", "Peter", "Pyotr"],
        &["Petya"],
    ),
    ru_m(
        "Василий",
        ("Васильевич", "Васильевна"),
        &["Вася"],
        &["Vasily", "Vasiliy"],
        &["Vasya"],
    ),
    ru_m(
        "Анатолий",
        ("Анатольевич", "Анатольевна"),
        &["Толя"],
        &["Anatoly"],
        &["Tolya"],
    ),
    ru_m(
        "Григорий",
        ("Григорьевич", "Григорьевна"),
        &["Гриша"],
        &["Grigory", "Gregory"],
        &["Grisha"],
    ),
    ru_m(
        "Степан",
        ("Степанович", "Степановна"),
        &["Стёпа"],
        &["Stepan"],
        &["Styopa"],
    ),
    ru_m(
        "Семён",
        ("Семёнович", "Семёновна"),
        &["Сёма"],
        &["Semyon", "Semen"],
        &["Syoma"],
    ),
    ru_m(
        "Фёдор",
        ("Фёдорович", "Фёдоровна"),
        &["Федя"],
        &["Fedor", "Fyodor", "Theodore"],
        &["Fedya"],
    ),
    ru_m(
        "Станислав",
        ("Станиславович", "Станиславовна"),
        &["Стас"],
        &["Stanislav"],
        &["Stas"],
    ),
    ru_m(
        "Ярослав",
        ("Ярославович", "Ярославовна"),
        &["Ярик", "Слава"],
        &["Yaroslav", "Iaroslav"],
        &["Slava"],
    ),
    ru_m(
        "Валерий",
        ("Валерьевич", "Валерьевна"),
        &["Валера"],
        &["Valery", "Valeriy"],
        &["Valera"],
    ),
    ru_m(
        "Лев",
        ("Львович", "Львовна"),
        &["Лёва"],
        &["Lev", "Leo"],
        &["Lyova"],
    ),
    ru_m(
        "Тимур",
        ("Тимурович", "Тимуровна"),
        &["Тима"],
        &["Timur"],
        &[],
    ),
    ru_m(
        "Руслан",
        ("Русланович", "Руслановна"),
        &["Руся"],
        &["Ruslan"],
        &[],
    ),
];

/// Russian female given names, most common first.
pub(crate) static RU_FEMALE: &[GivenName] = &[
    ru_f("Анна", &["Аня", "Анечка"], &["Anna", "Ann"], &["Anya"]),
    ru_f("Елена", &["Лена"], &["Elena", "Yelena", "Helen"], &["Lena"]),
    ru_f("Ольга", &["Оля"], &["Olga"], &["Olya"]),
    ru_f("Мария", &["Маша"], &["Maria", "Mariya", "Mary"], &["Masha"]),
    ru_f(
        "Наталья",
        &["Наташа"],
        &["Natalia", "Natalya", "Natalie"],
        &["Natasha"],
    ),
    ru_f(
        "Екатерина",
        &["Катя"],
        &["Ekaterina", "Yekaterina", "Catherine"],
        &["Katya", "Kate"],
    ),
    ru_f("Татьяна", &["Таня"], &["Tatiana", "Tatyana"], &["Tanya"]),
    ru_f("Ирина", &["Ира"], &["Irina"], &["Ira"]),
    ru_f(
        "Анастасия",
        &["Настя"],
        &["Anastasia", "Anastasiya"],
        &["Nastya"],
    ),
    ru_f("Юлия", &["Юля"], &["Yulia", "Julia", "Yuliya"], &["Yulya"]),
    ru_f("Светлана", &["Света"], &["Svetlana"], &["Sveta"]),
    ru_f("Дарья", &["Даша"], &["Daria", "Darya"], &["Dasha"]),
    ru_f(
        "Ксения",
        &["Ксюша"],
        &["Ksenia", "Kseniya", "Xenia"],
        &["Ksusha"],
    ),
    ru_f("Виктория", &["Вика"], &["Victoria", "Viktoriya"], &["Vika"]),
    ru_f("Алёна", &["Алёнка"], &["Alena", "Alyona"], &[]),
    ru_f("Полина", &["Поля"], &["Polina"], &["Polya"]),
    ru_f(
        "Александра",
        &["Саша"],
        &["Alexandra", "Aleksandra"],
        &["Sasha"],
    ),
    ru_f("Евгения", &["Женя"], &["Evgenia", "Eugenia"], &["Zhenya"]),
    ru_f("Марина", &["Мариша"], &["Marina"], &[]),
    ru_f("Галина", &["Галя"], &["Galina"], &["Galya"]),
    ru_f(
        "Людмила",
        &["Люда", "Мила"],
        &["Lyudmila", "Ludmila"],
        &["Luda", "Mila"],
    ),
    ru_f("Надежда", &["Надя"], &["Nadezhda"], &["Nadya"]),
    ru_f("Валентина", &["Валя"], &["Valentina"], &["Valya"]),
    ru_f("Алина", &["Алинка"], &["Alina"], &[]),
    ru_f(
        "Софья",
        &["Соня"],
        &["Sofia", "Sofya", "Sophia"],
        &["Sonya"],
    ),
    ru_f(
        "Елизавета",
        &["Лиза"],
        &["Elizaveta", "Elizabeth"],
        &["Liza"],
    ),
    ru_f("Вероника", &["Ника"], &["Veronika", "Veronica"], &["Nika"]),
    ru_f("Кристина", &["Кристи"], &["Kristina", "Christina"], &[]),
    ru_f("Любовь", &["Люба"], &["Lyubov", "Lubov"], &["Luba"]),
    ru_f("Вера", &["Верочка"], &["Vera"], &[]),
];

/// English-speaking male given names, most common first.
pub(crate) static EN_MALE: &[GivenName] = &[
    en("James", false, &["Jim", "Jimmy", "Jamie"], "Джеймс"),
    en("John", false, &["Johnny", "Jack"], "Джон"),
    en("Robert", false, &["Bob", "Rob", "Bobby"], "Роберт"),
    en("Michael", false, &["Mike", "Mick"], "Майкл"),
    en(
        "William",
        false,
        &["Bill", "Will", "Billy", "Liam"],
        "Уильям",
    ),
    en("David", false, &["Dave"], "Дэвид"),
    en("Richard", false, &["Rick", "Rich", "Dick"], "Ричард"),
    en("Joseph", false, &["Joe", "Joey"], "Джозеф"),
    en("Thomas", false, &["Tom", "Tommy"], "Томас"),
    en("Charles", false, &["Charlie", "Chuck"], "Чарльз"),
    en("Christopher", false, &["Chris"], "Кристофер"),
    en("Daniel", false, &["Dan", "Danny"], "Дэниел"),
    en("Matthew", false, &["Matt"], "Мэттью"),
    en("Anthony", false, &["Tony"], "Энтони"),
    en("Andrew", false, &["Andy", "Drew"], "Эндрю"),
    en("Edward", false, &["Ed", "Eddie", "Ted"], "Эдвард"),
    en("Steven", false, &["Steve"], "Стивен"),
    en("Benjamin", false, &["Ben"], "Бенджамин"),
    en("Samuel", false, &["Sam"], "Сэмюэл"),
    en("Alexander", false, &["Alex", "Sandy"], "Александер"),
    en("Peter", false, &["Pete"], "Питер"),
    en("Nicholas", false, &["Nick"], "Николас"),
    en("Timothy", false, &["Tim"], "Тимоти"),
    en("Henry", false, &["Harry", "Hank"], "Генри"),
    en("Patrick", false, &["Pat", "Paddy"], "Патрик"),
];

/// English-speaking female given names, most common first.
pub(crate) static EN_FEMALE: &[GivenName] = &[
    en("Mary", true, &["Molly", "Mae"], "Мэри"),
    en(
        "Elizabeth",
        true,
        &["Liz", "Beth", "Betty", "Lizzie"],
        "Элизабет",
    ),
    en("Jennifer", true, &["Jen", "Jenny"], "Дженнифер"),
    en("Patricia", true, &["Pat", "Patty", "Trish"], "Патриция"),
    en("Sarah", true, &["Sally"], "Сара"),
    en("Jessica", true, &["Jess", "Jessie"], "Джессика"),
    en("Margaret", true, &["Maggie", "Meg", "Peggy"], "Маргарет"),
    en("Katherine", true, &["Kate", "Kathy", "Katie"], "Кэтрин"),
    en("Emily", true, &["Em", "Emmy"], "Эмили"),
    en("Susan", true, &["Sue", "Susie"], "Сьюзан"),
    en("Rebecca", true, &["Becky", "Becca"], "Ребекка"),
    en("Victoria", true, &["Vicky", "Tori"], "Виктория"),
    en("Samantha", true, &["Sam", "Sammy"], "Саманта"),
    en("Alexandra", true, &["Alex", "Lexi"], "Александра"),
    en("Olivia", true, &["Liv", "Livvy"], "Оливия"),
    en("Charlotte", true, &["Charlie", "Lottie"], "Шарлотта"),
    en("Amanda", true, &["Mandy"], "Аманда"),
    en("Deborah", true, &["Deb", "Debbie"], "Дебора"),
    en("Abigail", true, &["Abby"], "Эбигейл"),
    en("Christine", true, &["Chris", "Chrissy"], "Кристин"),
];

/// Russian surnames in the male form, most common first.
pub(crate) static RU_SURNAMES: &[&str] = &[
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Петров",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
    "Орлов",
    "Андреев",
    "Макаров",
    "Никитин",
    "Захаров",
    "Зайцев",
    "Соловьёв",
    "Борисов",
    "Яковлев",
    "Григорьев",
    "Романов",
    "Воробьёв",
    "Сергеев",
    "Кузьмин",
    "Фролов",
    "Александров",
    "Дмитриев",
    "Королёв",
    "Гусев",
    "Киселёв",
    "Ильин",
    "Максимов",
    "Поляков",
    "Сорокин",
    "Виноградов",
    "Ковалёв",
    "Белов",
    "Медведев",
    "Антонов",
    "Тарасов",
    "Жуков",
    "Баранов",
    "Филиппов",
    "Комаров",
    "Давыдов",
    "Беляев",
    "Герасимов",
    "Богданов",
    "Осипов",
    "Сидоров",
    "Матвеев",
    "Титов",
    "Марков",
    "Миронов",
    "Крылов",
    "Куликов",
    "Карпов",
    "Власов",
    "Мельников",
    "Денисов",
    "Гаврилов",
    "Тихонов",
    "Казаков",
    "Афанасьев",
    "Данилов",
    "Савельев",
    "Тимофеев",
    "Фомин",
    "Чернов",
    "Абрамов",
    "Мартынов",
    "Ефимов",
    "Федотов",
    "Щербаков",
    "Назаров",
    "Калинин",
    "Исаев",
    "Чернышёв",
    "Быков",
    "Маслов",
    "Родионов",
    "Коновалов",
    "Лазарев",
    "Воронин",
    "Климов",
    "Филатов",
    "Пономарёв",
    "Голубев",
    "Кудрявцев",
    "Прохоров",
    "Наумов",
    "Потапов",
    "Журавлёв",
    "Овчинников",
    "Трофимов",
    "Леонов",
    "Соболев",
    "Ермаков",
    "Колесников",
    "Гончаров",
    "Емельянов",
    "Никифоров",
    "Грачёв",
    "Котов",
    "Гришин",
    "Ефремов",
    "Архипов",
    "Громов",
    "Кириллов",
    "Малышев",
    "Панов",
    "Моисеев",
    "Румянцев",
    "Акимов",
    "Кондратьев",
    "Бирюков",
    "Горбунов",
    "Анисимов",
    "Ерёмин",
    "Тихомиров",
    "Галкин",
    "Лукьянов",
    "Михеев",
    "Скворцов",
    "Юдин",
    "Белоусов",
    "Нестеров",
    "Симонов",
    "Прокофьев",
    "Харитонов",
    "Князев",
    "Цветков",
    "Левин",
    "Покровский",
    "Никольский",
    "Вишневский",
    "Островский",
    "Шевченко",
    "Бондаренко",
    "Кравченко",
    "Ковальчук",
    "Ким",
    "Черных",
    "Седых",
    "Цой",
];

/// English surnames with how a Russian operator writes them in Cyrillic, most common first.
pub(crate) static EN_SURNAMES: &[(&str, &str)] = &[
    ("Smith", "Смит"),
    ("Johnson", "Джонсон"),
    ("Williams", "Уильямс"),
    ("Brown", "Браун"),
    ("Jones", "Джонс"),
    ("Miller", "Миллер"),
    ("Davis", "Дэвис"),
    ("Wilson", "Уилсон"),
    ("Taylor", "Тейлор"),
    ("Anderson", "Андерсон"),
    ("Thomas", "Томас"),
    ("Moore", "Мур"),
    ("Jackson", "Джексон"),
    ("Martin", "Мартин"),
    ("Lee", "Ли"),
    ("Thompson", "Томпсон"),
    ("White", "Уайт"),
    ("Harris", "Харрис"),
    ("Clark", "Кларк"),
    ("Lewis", "Льюис"),
    ("Robinson", "Робинсон"),
    ("Walker", "Уокер"),
    ("Young", "Янг"),
    ("Allen", "Аллен"),
    ("King", "Кинг"),
    ("Wright", "Райт"),
    ("Scott", "Скотт"),
    ("Hill", "Хилл"),
    ("Green", "Грин"),
    ("Adams", "Адамс"),
    ("Baker", "Бейкер"),
    ("Nelson", "Нельсон"),
    ("Carter", "Картер"),
    ("Mitchell", "Митчелл"),
    ("Roberts", "Робертс"),
    ("Turner", "Тёрнер"),
    ("Phillips", "Филлипс"),
    ("Campbell", "Кэмпбелл"),
    ("Parker", "Паркер"),
    ("Evans", "Эванс"),
    ("Edwards", "Эдвардс"),
    ("Collins", "Коллинз"),
    ("Stewart", "Стюарт"),
    ("Morris", "Моррис"),
    ("Murphy", "Мёрфи"),
    ("Cook", "Кук"),
    ("Rogers", "Роджерс"),
    ("Morgan", "Морган"),
    ("Cooper", "Купер"),
    ("Bailey", "Бейли"),
    ("Bell", "Белл"),
    ("Kelly", "Келли"),
    ("Howard", "Говард"),
    ("Ward", "Уорд"),
    ("Watson", "Уотсон"),
    ("Bennett", "Беннетт"),
    ("Gray", "Грей"),
    ("Hughes", "Хьюз"),
    ("Foster", "Фостер"),
    ("O'Brien", "О'Брайен"),
    ("McDonald", "Макдональд"),
    ("Fitzgerald", "Фицджеральд"),
    ("Davies", "Дэвис"),
    ("Schmidt", "Шмидт"),
    ("Fischer", "Фишер"),
    ("Weber", "Вебер"),
    ("Becker", "Беккер"),
];

/// The female form of a Russian surname: Иванов → Иванова, Покровский → Покровская;
/// surnames that do not change (Шевченко, Ким, Черных) are returned as they are.
pub(crate) fn female_surname(male: &str) -> String {
    if male.chars().count() <= 3 {
        return male.to_string(); // Ким, Цой, Ли
    }
    for (from, to) in [("ский", "ская"), ("цкий", "цкая"), ("ой", "ая")] {
        if let Some(stem) = male.strip_suffix(from) {
            return format!("{stem}{to}");
        }
    }
    for end in ["ов", "ев", "ёв", "ин", "ын"] {
        if male.ends_with(end) {
            return format!("{male}а");
        }
    }
    male.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn female_surnames_follow_russian_rules() {
        assert_eq!(female_surname("Иванов"), "Иванова");
        assert_eq!(female_surname("Соловьёв"), "Соловьёва");
        assert_eq!(female_surname("Никитин"), "Никитина");
        assert_eq!(female_surname("Покровский"), "Покровская");
        assert_eq!(female_surname("Шевченко"), "Шевченко");
        assert_eq!(female_surname("Черных"), "Черных");
        assert_eq!(female_surname("Ким"), "Ким");
        assert_eq!(female_surname("Цой"), "Цой");
    }

    #[test]
    fn tables_are_consistent() {
        for n in RU_MALE {
            assert!(!n.female && n.patronymic.0.ends_with("ич"), "{}", n.native);
            assert!(n.patronymic.1.ends_with("на"), "{}", n.native);
            assert!(!n.latin.is_empty(), "{}", n.native);
        }
        for n in RU_FEMALE.iter().chain(EN_FEMALE) {
            assert!(n.female, "{}", n.native);
        }
        for n in EN_MALE.iter().chain(EN_FEMALE) {
            assert!(
                !n.cyrillic.is_empty() && !n.nicknames.is_empty(),
                "{}",
                n.native
            );
        }
    }
}
