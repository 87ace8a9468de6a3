//! US states, the District of Columbia, the inhabited territories and the
//! military "states" (APO/FPO addresses), which the agency requires for US
//! debtors (`stateAlpha2`).

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::DomainError;
use crate::text::lookup_key;

macro_rules! us_states {
    ($( $code:ident $name:literal [$($alias:literal),*]; )+) => {
        /// A US state, DC, territory (PR, GU, VI, AS, MP) or armed-forces
        /// postal code (AA, AE, AP). Variants are the USPS codes, which are
        /// also the ISO 3166-2 `US-xx` suffixes.
        ///
        /// Serialises as the two-letter code (`"CA"`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[allow(clippy::upper_case_acronyms)] // the variants *are* USPS codes
        pub enum UsState {
            $( #[doc = $name] $code, )+
        }

        impl UsState {
            /// Every state, district, territory and military code.
            pub const ALL: &'static [UsState] = &[$(UsState::$code),+];

            /// The two-letter code (`"CA"`).
            pub const fn code(self) -> &'static str {
                match self { $(UsState::$code => stringify!($code),)+ }
            }

            /// The English name ("California").
            pub const fn name(self) -> &'static str {
                match self { $(UsState::$code => $name,)+ }
            }

            const fn aliases(self) -> &'static [&'static str] {
                match self { $(UsState::$code => &[$($alias),*],)+ }
            }
        }
    };
}

us_states! {
    AL "Alabama" [];
    AK "Alaska" [];
    AZ "Arizona" [];
    AR "Arkansas" [];
    CA "California" [];
    CO "Colorado" [];
    CT "Connecticut" [];
    DE "Delaware" [];
    FL "Florida" [];
    GA "Georgia" [];
    HI "Hawaii" ["Hawaiʻi"];
    ID "Idaho" [];
    IL "Illinois" [];
    IN "Indiana" [];
    IA "Iowa" [];
    KS "Kansas" [];
    KY "Kentucky" [];
    LA "Louisiana" [];
    ME "Maine" [];
    MD "Maryland" [];
    MA "Massachusetts" [];
    MI "Michigan" [];
    MN "Minnesota" [];
    MS "Mississippi" [];
    MO "Missouri" [];
    MT "Montana" [];
    NE "Nebraska" [];
    NV "Nevada" [];
    NH "New Hampshire" [];
    NJ "New Jersey" [];
    NM "New Mexico" [];
    NY "New York" ["New York State"];
    NC "North Carolina" [];
    ND "North Dakota" [];
    OH "Ohio" [];
    OK "Oklahoma" [];
    OR "Oregon" [];
    PA "Pennsylvania" [];
    RI "Rhode Island" [];
    SC "South Carolina" [];
    SD "South Dakota" [];
    TN "Tennessee" [];
    TX "Texas" [];
    UT "Utah" [];
    VT "Vermont" [];
    VA "Virginia" [];
    WA "Washington" ["Washington State"];
    WV "West Virginia" [];
    WI "Wisconsin" [];
    WY "Wyoming" [];
    DC "District of Columbia" ["Washington DC", "Washington D.C.", "D.C."];
    PR "Puerto Rico" [];
    GU "Guam" [];
    VI "U.S. Virgin Islands" ["Virgin Islands", "Virgin Islands, U.S.", "United States Virgin Islands"];
    AS "American Samoa" [];
    MP "Northern Mariana Islands" ["Commonwealth of the Northern Mariana Islands"];
    AA "Armed Forces Americas" [];
    AE "Armed Forces Europe" ["Armed Forces Africa", "Armed Forces Canada", "Armed Forces Middle East"];
    AP "Armed Forces Pacific" [];
}

static BY_NAME: LazyLock<HashMap<String, UsState>> = LazyLock::new(|| {
    let mut map = HashMap::new();
    for &state in UsState::ALL {
        for name in std::iter::once(state.name()).chain(state.aliases().iter().copied()) {
            map.insert(lookup_key(name), state);
        }
    }
    map
});

impl UsState {
    /// Reads a state from `"CA"`, `"ca"`, `"US-CA"` (ISO 3166-2) or a name
    /// (`"California"`, `"washington d.c."`), ignoring case and spacing.
    ///
    /// # Errors
    /// [`DomainError::ParseUsState`] with the input when nothing matches,
    /// including Canadian provinces ("ON") and blank text.
    pub fn parse(input: &str) -> Result<UsState, DomainError> {
        let trimmed = input.trim();
        let upper = trimmed.to_ascii_uppercase();
        let code = upper
            .strip_prefix("US-")
            .or_else(|| upper.strip_prefix("US "))
            .unwrap_or(&upper)
            .trim();
        UsState::ALL
            .iter()
            .copied()
            .find(|state| state.code() == code)
            .or_else(|| BY_NAME.get(&lookup_key(trimmed)).copied())
            .ok_or_else(|| DomainError::ParseUsState {
                input: input.to_owned(),
            })
    }
}

impl fmt::Display for UsState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for UsState {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        UsState::parse(s)
    }
}

impl Serialize for UsState {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for UsState {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        UsState::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_states_dc_territories_and_military_codes() {
        // 50 states + DC + 5 territories + 3 military codes.
        assert_eq!(UsState::ALL.len(), 59);
    }

    #[test]
    fn parses_codes_iso_form_and_names() {
        let cases = [
            ("CA", UsState::CA),
            ("ca", UsState::CA),
            (" US-CA ", UsState::CA),
            ("us-ca", UsState::CA),
            ("California", UsState::CA),
            ("CALIFORNIA", UsState::CA),
            ("new york", UsState::NY),
            ("Washington, D.C.", UsState::DC),
            ("DC", UsState::DC),
            ("Puerto Rico", UsState::PR),
            ("Virgin Islands, U.S.", UsState::VI),
            ("AE", UsState::AE),
            ("Armed Forces Pacific", UsState::AP),
            ("Hawaiʻi", UsState::HI),
        ];
        for (input, expected) in cases {
            assert_eq!(UsState::parse(input), Ok(expected), "{input}");
        }
    }

    #[test]
    fn refuses_unknown_blank_and_foreign_regions() {
        for bad in [
            "",
            "  ",
            "XX",
            "US-",
            "ON",
            "Ontario",
            "Calif",
            "Kalifornien",
            "🇺🇸",
            "US-ZZ",
        ] {
            assert_eq!(
                UsState::parse(bad),
                Err(DomainError::ParseUsState {
                    input: bad.to_owned()
                }),
                "{bad:?} must be refused"
            );
        }
    }

    #[test]
    fn every_state_parses_from_its_code_and_name() {
        for &state in UsState::ALL {
            assert_eq!(UsState::parse(state.code()), Ok(state));
            assert_eq!(UsState::parse(&format!("US-{}", state.code())), Ok(state));
            assert_eq!(UsState::parse(state.name()), Ok(state), "{}", state.name());
        }
    }

    #[test]
    fn serde_round_trips_as_code() {
        assert_eq!(serde_json::to_string(&UsState::TX).unwrap(), "\"TX\"");
        assert_eq!(
            serde_json::from_str::<UsState>("\"TX\"").unwrap(),
            UsState::TX
        );
        assert!(serde_json::from_str::<UsState>("\"QQ\"").is_err());
    }
}
