//! Integration tests: person names (normalisation, similarity bands, blocking recall).

use omni_core::{name_similarity, normalize_name, ErrorKind, PersonName};
use proptest::prelude::*;
use serde::Deserialize;
use std::collections::{HashMap, HashSet};

fn fixture(name: &str) -> String {
    let path = format!("{}/../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[derive(Deserialize)]
struct PairFile {
    case: Vec<PairCase>,
}

#[derive(Deserialize)]
struct PairCase {
    name: String,
    a: String,
    b: String,
    expected: String,
}

/// The score range of a band, as documented in `omni_core::ident::name`.
fn band(expected: &str) -> (f64, f64) {
    match expected {
        "same" => (0.9, 1.0),
        "likely" => (0.75, 0.9),
        "possible" => (0.6, 0.75),
        "different" => (0.0, 0.6),
        other => panic!("unknown band {other:?}"),
    }
}

#[test]
fn name_pairs_fall_in_their_bands() {
    let file: PairFile = toml::from_str(&fixture("names.toml")).unwrap();
    assert!(file.case.len() >= 100, "{} cases", file.case.len());
    let mut failures = Vec::new();
    for case in &file.case {
        let (lo, hi) = band(&case.expected);
        let score = name_similarity(&case.a, &case.b);
        let in_band = score >= lo && (score < hi || (hi == 1.0 && score <= 1.0));
        if !in_band {
            failures.push(format!(
                "{}: {:?} vs {:?} = {score:.3}, expected {} [{lo}, {hi})",
                case.name, case.a, case.b, case.expected
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[derive(Deserialize)]
struct NormalizeFile {
    case: Vec<NormalizeCase>,
}

#[derive(Deserialize)]
struct NormalizeCase {
    name: String,
    input: String,
    normalized: Option<String>,
    display: Option<String>,
    given: Option<String>,
    given_canonical: Option<String>,
    family: Option<String>,
    patronymic: Option<String>,
    gender: Option<String>,
    error: Option<String>,
}

#[test]
fn normalisation_cases() {
    let file: NormalizeFile = toml::from_str(&fixture("name_normalize.toml")).unwrap();
    let mut failures = Vec::new();
    for case in &file.case {
        let got = normalize_name(&case.input);
        match (&case.error, got) {
            (Some(kind), Err(e)) if e.kind().name() == kind => {}
            (Some(kind), other) => {
                failures.push(format!("{}: want {kind}, got {other:?}", case.name))
            }
            (None, Err(e)) => failures.push(format!("{}: unexpected error {e}", case.name)),
            (None, Ok(n)) => {
                let gender = n.gender.map(|g| {
                    serde_json::to_value(g)
                        .unwrap()
                        .as_str()
                        .unwrap()
                        .to_string()
                });
                let checks = [
                    ("normalized", &case.normalized, Some(n.normalized.clone())),
                    ("display", &case.display, Some(n.display.clone())),
                    ("given", &case.given, n.given.clone()),
                    (
                        "given_canonical",
                        &case.given_canonical,
                        n.given_canonical.clone(),
                    ),
                    ("family", &case.family, n.family.clone()),
                    ("patronymic", &case.patronymic, n.patronymic.clone()),
                    ("gender", &case.gender, gender),
                ];
                for (field, want, got) in checks {
                    if let Some(want) = want {
                        let want = (!want.is_empty()).then(|| want.clone());
                        if want != got {
                            failures.push(format!("{}: {field} {got:?}, want {want:?}", case.name));
                        }
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn errors_say_what_was_wrong() {
    let e = normalize_name("  ...  ").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidName);
    assert!(e.message().contains("no letters"), "{}", e.message());
    let e = normalize_name(&"Иван ".repeat(200)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InputTooLarge);
    assert!(e.message().contains("512"), "{}", e.message());
    assert_eq!(name_similarity("Иван Петров", ""), 0.0);
    assert_eq!(name_similarity("Mr.", "Mr."), 0.0);
}

#[test]
fn precomputed_names_compare_like_the_free_function() {
    let a = normalize_name("Петров Саша").unwrap();
    let b = normalize_name("Alexander Petrov").unwrap();
    assert_eq!(
        a.similarity(&b),
        name_similarity("Петров Саша", "Alexander Petrov")
    );
    assert_eq!(a.similarity(&a), 1.0);
}

// ---------------------------------------------------------------- properties

fn name_strategy() -> impl Strategy<Value = String> {
    let words = prop::sample::select(vec![
        "van",
        "де",
        "Jr.",
        "оглы",
        "Иванцов",
        "Ivanova",
        "Alexandra",
        "Евгения",
        "Ильинична",
        "Ю.",
        "Yuri",
        "Иван",
        "Ivan",
        "Петров",
        "Petrova",
        "Саша",
        "Alex",
        "Мария",
        "Иванович",
        "Петровна",
        "И.",
        "J.",
        "Smith",
        "John",
        "Анна-Мария",
        "O'Brien",
        "Щукин",
        "Юлия",
        "г-н",
        "Dr.",
        "Ёлкин",
        "Ли",
        "Bill",
        "William",
        "Сидорова",
        "Катя",
        "Ekaterina",
    ]);
    prop::collection::vec(words, 1..5).prop_map(|w| w.join(" "))
}

proptest! {
    #[test]
    fn normalisation_never_panics(text in "\\PC{0,80}") {
        let _ = normalize_name(&text);
    }

    #[test]
    fn similarity_never_panics_and_stays_in_range(a in "\\PC{0,60}", b in "\\PC{0,60}") {
        let s = name_similarity(&a, &b);
        prop_assert!((0.0..=1.0).contains(&s), "{s}");
    }

    #[test]
    fn similarity_is_symmetric_and_reflexive(a in name_strategy(), b in name_strategy()) {
        let (Ok(x), Ok(y)) = (normalize_name(&a), normalize_name(&b)) else {
            return Ok(());
        };
        let s = x.similarity(&y);
        prop_assert!((0.0..=1.0).contains(&s));
        prop_assert_eq!(s, y.similarity(&x));
        prop_assert_eq!(x.similarity(&x), 1.0);
    }

    #[test]
    fn similarity_ignores_word_order(
        a in name_strategy(),
        b in name_strategy(),
        seed in any::<u64>(),
    ) {
        let (Ok(x), Ok(y)) = (normalize_name(&a), normalize_name(&b)) else {
            return Ok(());
        };
        let mut words: Vec<&str> = a.split(' ').collect();
        let mut state = seed | 1;
        for i in (1..words.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            words.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let shuffled = normalize_name(&words.join(" ")).unwrap();
        prop_assert_eq!(x.similarity(&y), shuffled.similarity(&y), "{} / {}", a, words.join(" "));
    }

    #[test]
    fn arbitrary_names_survive_json(text in "\\PC{1,40}") {
        if let Ok(n) = normalize_name(&text) {
            let back: PersonName = serde_json::from_str(&serde_json::to_string(&n).unwrap()).unwrap();
            prop_assert_eq!(back, n);
        }
    }
}

// ---------------------------------------------------------------- blocking recall

/// A small deterministic generator of invented people and the ways their names get written.
struct Generator(u64);

impl Generator {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// Given names: (Cyrillic, Latin, nicknames in either script).
const MALE: &[(&str, &str, &[&str])] = &[
    ("Александр", "Alexander", &["Саша", "Sasha", "Шура", "Alex"]),
    ("Алексей", "Aleksey", &["Лёша", "Alexei"]),
    ("Дмитрий", "Dmitry", &["Дима", "Dima"]),
    ("Сергей", "Sergei", &["Серёжа", "Sergey"]),
    ("Андрей", "Andrey", &["Андрюша", "Andrei"]),
    ("Михаил", "Mikhail", &["Миша", "Michael"]),
    ("Иван", "Ivan", &["Ваня", "Vanya"]),
    ("Николай", "Nikolai", &["Коля", "Nikolay"]),
    ("Евгений", "Evgeny", &["Женя", "Yevgeniy"]),
    ("Владимир", "Vladimir", &["Вова", "Volodya"]),
    ("Пётр", "Pyotr", &["Петя", "Petr"]),
    ("Юрий", "Yuri", &["Юра", "Iurii"]),
];
const FEMALE: &[(&str, &str, &[&str])] = &[
    ("Екатерина", "Ekaterina", &["Катя", "Katya", "Catherine"]),
    ("Анна", "Anna", &["Аня", "Anya"]),
    ("Мария", "Maria", &["Маша", "Masha"]),
    ("Наталья", "Natalia", &["Наташа", "Natalya"]),
    ("Ольга", "Olga", &["Оля"]),
    ("Юлия", "Yulia", &["Юля", "Iuliia", "Julia"]),
    ("Татьяна", "Tatiana", &["Таня", "Tatyana"]),
    ("Елена", "Elena", &["Лена", "Yelena"]),
    ("Ксения", "Kseniya", &["Ксюша", "Xenia"]),
    ("Анастасия", "Anastasia", &["Настя", "Nastya"]),
];
/// Family-name stems: (Cyrillic masculine, Latin masculine); feminine forms add -а / -a.
const FAMILY: &[(&str, &str)] = &[
    ("Смирнов", "Smirnov"),
    ("Кузнецов", "Kuznetsov"),
    ("Попов", "Popov"),
    ("Соколов", "Sokolov"),
    ("Лебедев", "Lebedev"),
    ("Козлов", "Kozlov"),
    ("Новиков", "Novikov"),
    ("Морозов", "Morozov"),
    ("Волков", "Volkov"),
    ("Соловьёв", "Solovyov"),
    ("Васильев", "Vasiliev"),
    ("Зайцев", "Zaytsev"),
    ("Павлов", "Pavlov"),
    ("Семёнов", "Semenov"),
    ("Голубев", "Golubev"),
    ("Виноградов", "Vinogradov"),
    ("Богданов", "Bogdanov"),
    ("Воробьёв", "Vorobyov"),
    ("Фёдоров", "Fedorov"),
    ("Михайлов", "Mikhailov"),
    ("Беляев", "Belyaev"),
    ("Тарасов", "Tarasov"),
    ("Белов", "Belov"),
    ("Комаров", "Komarov"),
    ("Орлов", "Orlov"),
    ("Киселёв", "Kiselyov"),
    ("Макаров", "Makarov"),
    ("Андреев", "Andreev"),
    ("Ковалёв", "Kovalev"),
    ("Ильин", "Ilyin"),
    ("Гусев", "Gusev"),
    ("Титов", "Titov"),
    ("Кузьмин", "Kuzmin"),
    ("Кудрявцев", "Kudryavtsev"),
    ("Баранов", "Baranov"),
    ("Куликов", "Kulikov"),
    ("Алексеев", "Alekseev"),
    ("Степанов", "Stepanov"),
    ("Яковлев", "Yakovlev"),
    ("Сорокин", "Sorokin"),
    ("Сергеев", "Sergeev"),
    ("Романов", "Romanov"),
    ("Захаров", "Zakharov"),
    ("Борисов", "Borisov"),
    ("Королёв", "Korolev"),
    ("Герасимов", "Gerasimov"),
    ("Пономарёв", "Ponomarev"),
    ("Григорьев", "Grigoriev"),
    ("Лазарев", "Lazarev"),
    ("Медведев", "Medvedev"),
    ("Ершов", "Ershov"),
    ("Никитин", "Nikitin"),
    ("Соболев", "Sobolev"),
    ("Рябов", "Ryabov"),
    ("Поляков", "Polyakov"),
    ("Цветков", "Tsvetkov"),
    ("Данилов", "Danilov"),
    ("Жуков", "Zhukov"),
    ("Фролов", "Frolov"),
    ("Журавлёв", "Zhuravlev"),
    ("Николаев", "Nikolaev"),
    ("Крылов", "Krylov"),
    ("Максимов", "Maksimov"),
    ("Сидоров", "Sidorov"),
    ("Осипов", "Osipov"),
    ("Белоусов", "Belousov"),
    ("Федотов", "Fedotov"),
    ("Дорофеев", "Dorofeev"),
    ("Егоров", "Egorov"),
    ("Матвеев", "Matveev"),
    ("Бобров", "Bobrov"),
    ("Дмитриев", "Dmitriev"),
    ("Калинин", "Kalinin"),
    ("Анисимов", "Anisimov"),
    ("Петухов", "Petukhov"),
    ("Антонов", "Antonov"),
    ("Тимофеев", "Timofeev"),
    ("Никифоров", "Nikiforov"),
    ("Веселов", "Veselov"),
    ("Филиппов", "Filippov"),
    ("Марков", "Markov"),
    ("Большаков", "Bolshakov"),
    ("Суханов", "Sukhanov"),
    ("Миронов", "Mironov"),
    ("Ширяев", "Shiryaev"),
    ("Александров", "Aleksandrov"),
    ("Коновалов", "Konovalov"),
    ("Шестаков", "Shestakov"),
    ("Казаков", "Kazakov"),
    ("Ефимов", "Efimov"),
    ("Денисов", "Denisov"),
    ("Громов", "Gromov"),
    ("Фомин", "Fomin"),
    ("Давыдов", "Davydov"),
    ("Мельников", "Melnikov"),
    ("Щербаков", "Shcherbakov"),
    ("Блинов", "Blinov"),
    ("Колесников", "Kolesnikov"),
    ("Карпов", "Karpov"),
    ("Афанасьев", "Afanasiev"),
];
const PATRONYMIC: &[(&str, &str)] = &[
    ("Александров", "Aleksandrov"),
    ("Сергеев", "Sergeev"),
    ("Иванов", "Ivanov"),
    ("Петров", "Petrov"),
    ("Николаев", "Nikolaev"),
    ("Андреев", "Andreev"),
];

/// Changes one letter of a word (substitution, deletion or swap), away from the first letter.
fn typo(g: &mut Generator, word: &str) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    if chars.len() < 4 {
        return word.to_string();
    }
    let i = 1 + (g.next() % (chars.len() as u64 - 2)) as usize;
    match g.next() % 3 {
        0 => {
            chars.remove(i);
        }
        1 => chars.swap(i, i + 1),
        _ => chars[i] = if chars[i].is_ascii() { 'e' } else { 'е' },
    }
    chars.into_iter().collect()
}

struct Person {
    female: bool,
    given: usize,
    family: usize,
    patronymic: usize,
}

/// One way a CRM could have recorded this person's name.
fn written(g: &mut Generator, p: &Person) -> String {
    let (cyr, lat, nicks) = if p.female {
        FEMALE[p.given]
    } else {
        MALE[p.given]
    };
    let latin = g.chance(40);
    let (fam_cyr, fam_lat) = FAMILY[p.family];
    let suffix = if p.female {
        if latin {
            "a"
        } else {
            "а"
        }
    } else {
        ""
    };
    let mut family = format!("{}{suffix}", if latin { fam_lat } else { fam_cyr });
    let mut given = if g.chance(25) {
        g.pick(nicks).to_string()
    } else if latin {
        lat.to_string()
    } else {
        cyr.to_string()
    };
    if g.chance(10) {
        family = typo(g, &family);
    } else if g.chance(8) {
        given = typo(g, &given);
    }
    if g.chance(8) {
        let full = if latin { lat } else { cyr };
        given = format!("{}.", full.chars().next().unwrap());
    }
    let (pat_cyr, pat_lat) = PATRONYMIC[p.patronymic];
    let patronymic = match (latin, p.female) {
        (false, false) => format!("{pat_cyr}ич"),
        (false, true) => format!("{pat_cyr}на"),
        (true, false) => format!("{pat_lat}ich"),
        (true, true) => format!("{pat_lat}na"),
    };
    match g.next() % 4 {
        0 => format!("{given} {family}"),
        1 => format!("{family} {given}"),
        2 if !latin => format!("{family} {given} {patronymic}"),
        _ => format!("{given} {patronymic} {family}"),
    }
}

/// Pair recall and block sizes of the blocking keys on 2,000 generated people with 2-3
/// records each (Cyrillic/Latin, nicknames, swapped order, patronymics, initials, typos).
#[test]
fn blocking_keys_find_most_true_pairs_in_small_blocks() {
    let mut g = Generator(0x5eed_0f0a_11ed);
    let mut records: Vec<(usize, PersonName)> = Vec::new();
    for person in 0..2000 {
        let female = g.chance(50);
        let p = Person {
            female,
            given: (g.next() % if female { FEMALE.len() } else { MALE.len() } as u64) as usize,
            family: (g.next() % FAMILY.len() as u64) as usize,
            patronymic: (g.next() % PATRONYMIC.len() as u64) as usize,
        };
        for _ in 0..2 + g.next() % 2 {
            let text = written(&mut g, &p);
            records.push((person, normalize_name(&text).unwrap()));
        }
    }
    let all = measure_blocking(&records, |_| true);
    for kinds in [&["fp:"][..], &["gf:"]] {
        let some = measure_blocking(&records, |key| kinds.iter().any(|k| key.starts_with(k)));
        println!("blocking, {} keys: {}", kinds.join(" "), some.summary);
    }
    println!("blocking, all keys: {}", all.summary);
    assert!(
        all.recall >= 0.97,
        "recall {:.4}; missed e.g.\n{}",
        all.recall,
        all.missed.join("\n")
    );
    assert!(all.reduction >= 0.99, "reduction {:.5}", all.reduction);
    assert!(
        all.largest_block <= 100,
        "largest block {}",
        all.largest_block
    );
}

struct BlockingFigures {
    recall: f64,
    reduction: f64,
    largest_block: usize,
    missed: Vec<String>,
    summary: String,
}

fn measure_blocking(
    records: &[(usize, PersonName)],
    use_key: impl Fn(&str) -> bool,
) -> BlockingFigures {
    let mut blocks: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, (_, name)) in records.iter().enumerate() {
        for key in name.blocking_keys() {
            if use_key(&key) || key.starts_with("f:") || key.starts_with("g:") {
                blocks.entry(key).or_default().push(i);
            }
        }
    }
    let mut candidate_pairs: HashSet<(usize, usize)> = HashSet::new();
    for members in blocks.values() {
        for (x, &i) in members.iter().enumerate() {
            for &j in &members[x + 1..] {
                candidate_pairs.insert((i.min(j), i.max(j)));
            }
        }
    }
    let mut true_pairs = 0usize;
    let mut found = 0usize;
    let mut missed = Vec::new();
    for i in 0..records.len() {
        for j in i + 1..records.len() {
            if records[i].0 == records[j].0 {
                true_pairs += 1;
                if candidate_pairs.contains(&(i, j)) {
                    found += 1;
                } else if missed.len() < 15 {
                    missed.push(format!(
                        "{} / {}",
                        records[i].1.original, records[j].1.original
                    ));
                }
            }
        }
    }
    let recall = found as f64 / true_pairs as f64;
    let all_pairs = records.len() * (records.len() - 1) / 2;
    let reduction = 1.0 - candidate_pairs.len() as f64 / all_pairs as f64;
    let largest_block = blocks.values().map(Vec::len).max().unwrap_or(0);
    let keys_per_record =
        blocks.values().map(Vec::len).sum::<usize>() as f64 / records.len() as f64;
    let summary = format!(
        "{} records, {true_pairs} true pairs, recall {recall:.4}, {} candidate pairs \
         (reduction {reduction:.5}), {keys_per_record:.1} keys per record, largest block \
         {largest_block}",
        records.len(),
        candidate_pairs.len(),
    );
    BlockingFigures {
        recall,
        reduction,
        largest_block,
        missed,
        summary,
    }
}
