//! The text functions the generator exports never panic, whatever they are given.

use omni_synth::{
    mailbox_key, transliterate, typo, wrong_layout, Format, SynthRng, TranslitSystem,
};
use proptest::prelude::*;

proptest! {
    #[test]
    fn text_functions_never_panic(text in any::<String>(), seed in any::<u64>()) {
        let _ = mailbox_key(&text);
        for system in TranslitSystem::ALL {
            let _ = transliterate(&text, system);
        }
        let _ = wrong_layout(&text);
        let _ = typo(&mut SynthRng::new(seed), &text);
        let _ = Format::from_name(&text);
    }

    #[test]
    fn wrong_layout_of_russian_letters_goes_back(word in "[а-яА-Я]{1,20}") {
        prop_assert_eq!(wrong_layout(&wrong_layout(&word)), word);
    }

    #[test]
    fn rng_below_stays_below(seed in any::<u64>(), n in 1u64..u64::MAX) {
        let mut rng = SynthRng::new(seed);
        prop_assert!(rng.below(n) < n);
    }
}
