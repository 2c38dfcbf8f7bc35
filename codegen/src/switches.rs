//! The generator's on/off options, each declared once below: its field,
//! its command-line flag and its documentation. From that one line the
//! macro makes the field lowering reads, the [`crate::Config`] method, the
//! entry of [`SWITCHES`] that the command line (`--FLAG`), `check`'s
//! refresh command and configuration files read, and
//! [`crate::Config::switch`], which sets one by flag. A new switch is a new
//! line here and the lowering code that reads it.

/// One on/off option of the generator.
#[derive(Debug, Clone, Copy)]
pub struct Switch {
    /// The command-line flag without dashes (`lossless`), also the name
    /// [`crate::Config::switch`] and configuration files take.
    pub flag: &'static str,
    /// What it changes (the first line is the command line's help).
    pub doc: &'static str,
    set: fn(&mut Switches, bool),
}

impl Switch {
    /// Turns the switch on or off in `switches`.
    pub(crate) fn set(&self, switches: &mut Switches, on: bool) {
        (self.set)(switches, on)
    }
}

macro_rules! switches {
    ($( $(#[doc = $doc:literal])* $field:ident = $flag:literal; )*) => {
        /// The state of every switch (all off by default).
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        pub(crate) struct Switches {
            $(
                #[doc = concat!("[`crate::Config::", stringify!($field), "`].")]
                pub $field: bool,
            )*
        }

        /// Every switch, in declaration order.
        pub const SWITCHES: &[Switch] = &[
            $( Switch {
                flag: $flag,
                doc: concat!($($doc, "\n"),*),
                set: |s, on| s.$field = on,
            }, )*
        ];

        impl crate::Config {
            $(
                $(#[doc = $doc])*
                pub fn $field(&mut self, yes: bool) -> &mut Self {
                    self.options.switches.$field = yes;
                    self
                }
            )*
        }
    };
}

switches! {
    /// Reads an optional property that may be `null` as `Option<T>`, absent
    /// and `null` both `None` (serialized as absent), instead of the default
    /// `Option<Option<T>>` that keeps them apart (`None` absent,
    /// `Some(None)` null).
    ///
    /// ```
    /// schemaweave::Config::new().merge_absent_and_null(true);
    /// ```
    merge_absent_and_null = "merge-absent-and-null";

    /// Reads an array with `uniqueItems: true` whose items are strings,
    /// integers or booleans as a `BTreeSet<T>` (default: `Vec<T>`, and
    /// uniqueness not checked). Other items cannot be ordered: those arrays
    /// stay `Vec<T>` with a warning. A set is sorted: it writes its items
    /// back in order, and a duplicate in the input is dropped, not refused.
    ///
    /// ```
    /// schemaweave::Config::new().unique_items_as_set(true);
    /// ```
    unique_items_as_set = "unique-items-as-set";

    /// Exact round trips, for proxies, archives and signature re-checks
    /// (default: off). Every open object (one without
    /// `additionalProperties: false`) keeps the properties it does not
    /// list in a flattened `additional_properties` map, and an optional
    /// property with a `default` stays `Option<T>`: absent in, absent out,
    /// with `<field>_or_default()` returning the value or the default.
    ///
    /// ```
    /// schemaweave::Config::new().lossless(true);
    /// ```
    lossless = "lossless";

    /// Reads a schema without `type` as the type its keywords describe: an
    /// object for `properties`, an array for `items` (default: off). JSON
    /// Schema applies those keywords only to objects (arrays) and accepts
    /// any other value as it is, so by default such a schema is an enum of
    /// the struct (`Object`) and any other JSON (`Other`); members of a
    /// `oneOf`/`anyOf` whose schema gives `type` take that type and are
    /// plain structs either way. With this switch the struct is used
    /// directly, and other values are rejected.
    ///
    /// ```
    /// schemaweave::Config::new().infer_types(true);
    /// ```
    infer_types = "infer-types";

    /// Makes every enum of strings open (default: closed): a value the
    /// schema does not list is kept in `Other(String)` and written back as
    /// it came, so that a sender that adds a value does not break readers.
    /// `--open-enum SELECTOR` opens chosen ones.
    ///
    /// ```
    /// schemaweave::Config::new().open_enums(true);
    /// ```
    open_enums = "open-enums";
}

/// The switch with this flag.
pub(crate) fn by_flag(flag: &str) -> Option<&'static Switch> {
    SWITCHES.iter().find(|s| s.flag == flag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_switch_is_set_through_its_flag() {
        let mut flags: Vec<&str> = SWITCHES.iter().map(|s| s.flag).collect();
        flags.sort_unstable();
        flags.dedup();
        assert_eq!(flags.len(), SWITCHES.len(), "a flag is declared twice");
        // Each flag turns on a switch of its own: one state per flag, none
        // the default (all off).
        let mut states = vec![Switches::default()];
        for switch in SWITCHES {
            let mut config = crate::Config::new();
            config.switch(switch.flag, true).unwrap();
            let state = config.options.switches.clone();
            assert!(
                !states.contains(&state),
                "{} sets nothing of its own",
                switch.flag
            );
            states.push(state);
            config.switch(switch.flag, false).unwrap();
            assert_eq!(
                config.options.switches,
                Switches::default(),
                "{}",
                switch.flag
            );
            assert!(
                !switch.doc.trim().is_empty(),
                "{} is undocumented",
                switch.flag
            );
        }
        let err = crate::Config::new()
            .switch("losless", true)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`losless`") && err.contains("lossless"),
            "{err}"
        );
    }
}
