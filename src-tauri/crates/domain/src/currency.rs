//! ISO 4217 currencies with their minor units.
//!
//! The list is ISO 4217 "List One" as active in 2025: every code that money
//! can be denominated in, including the fund codes (BOV, CLF, …), which are
//! valid ISO codes but not invoice currencies (see [`Currency::is_fund`]).
//! Left out on purpose: codes with no minor unit because they are not money
//! (precious metals XAU/XAG/XPD/XPT, bond units XBA–XBD, XDR, XSU, XUA, the
//! test code XTS and "no currency" XXX) and withdrawn codes (HRK since
//! Croatia's move to EUR in 2023, ZWL since ZWG in 2024). ANG and SLL stay
//! during their replacement (by XCG and SLE) because old unpaid invoices are
//! denominated in them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::DomainError;

macro_rules! currencies {
    ($( $code:ident $exponent:literal $name:literal; )+) => {
        /// An ISO 4217 currency. Variants are the ISO alpha codes.
        ///
        /// Parse outside text with [`Currency::parse`]; serialises as the
        /// upper-case code (`"DKK"`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[allow(clippy::upper_case_acronyms)] // the variants *are* ISO codes
        pub enum Currency {
            $( #[doc = $name] $code, )+
        }

        impl Currency {
            /// Every supported currency, in code order. (A function, not an
            /// `ALL` constant, because `ALL` is the Albanian lek.)
            pub const fn all() -> &'static [Currency] {
                &[$(Currency::$code),+]
            }

            /// The three-letter ISO code, upper case.
            pub const fn code(self) -> &'static str {
                match self { $(Currency::$code => stringify!($code),)+ }
            }

            /// ISO 4217 minor units: how many decimals an amount may have
            /// (2 for DKK, 0 for JPY and ISK, 3 for KWD). Providers may use
            /// another exponent for their integer amounts; see
            /// [`crate::Money::from_minor_units_with_exponent`].
            pub const fn exponent(self) -> u32 {
                match self { $(Currency::$code => $exponent,)+ }
            }

            /// ISO 4217's English name ("Danish Krone").
            pub const fn name(self) -> &'static str {
                match self { $(Currency::$code => $name,)+ }
            }

            fn from_upper_code(code: &str) -> Option<Currency> {
                match code {
                    $(stringify!($code) => Some(Currency::$code),)+
                    _ => None,
                }
            }
        }
    };
}

currencies! {
    AED 2 "UAE Dirham";
    AFN 2 "Afghani";
    ALL 2 "Lek";
    AMD 2 "Armenian Dram";
    ANG 2 "Netherlands Antillean Guilder";
    AOA 2 "Kwanza";
    ARS 2 "Argentine Peso";
    AUD 2 "Australian Dollar";
    AWG 2 "Aruban Florin";
    AZN 2 "Azerbaijan Manat";
    BAM 2 "Convertible Mark";
    BBD 2 "Barbados Dollar";
    BDT 2 "Taka";
    BGN 2 "Bulgarian Lev";
    BHD 3 "Bahraini Dinar";
    BIF 0 "Burundi Franc";
    BMD 2 "Bermudian Dollar";
    BND 2 "Brunei Dollar";
    BOB 2 "Boliviano";
    BOV 2 "Mvdol";
    BRL 2 "Brazilian Real";
    BSD 2 "Bahamian Dollar";
    BTN 2 "Ngultrum";
    BWP 2 "Pula";
    BYN 2 "Belarusian Ruble";
    BZD 2 "Belize Dollar";
    CAD 2 "Canadian Dollar";
    CDF 2 "Congolese Franc";
    CHE 2 "WIR Euro";
    CHF 2 "Swiss Franc";
    CHW 2 "WIR Franc";
    CLF 4 "Unidad de Fomento";
    CLP 0 "Chilean Peso";
    CNY 2 "Yuan Renminbi";
    COP 2 "Colombian Peso";
    COU 2 "Unidad de Valor Real";
    CRC 2 "Costa Rican Colon";
    CUC 2 "Peso Convertible";
    CUP 2 "Cuban Peso";
    CVE 2 "Cabo Verde Escudo";
    CZK 2 "Czech Koruna";
    DJF 0 "Djibouti Franc";
    DKK 2 "Danish Krone";
    DOP 2 "Dominican Peso";
    DZD 2 "Algerian Dinar";
    EGP 2 "Egyptian Pound";
    ERN 2 "Nakfa";
    ETB 2 "Ethiopian Birr";
    EUR 2 "Euro";
    FJD 2 "Fiji Dollar";
    FKP 2 "Falkland Islands Pound";
    GBP 2 "Pound Sterling";
    GEL 2 "Lari";
    GHS 2 "Ghana Cedi";
    GIP 2 "Gibraltar Pound";
    GMD 2 "Dalasi";
    GNF 0 "Guinean Franc";
    GTQ 2 "Quetzal";
    GYD 2 "Guyana Dollar";
    HKD 2 "Hong Kong Dollar";
    HNL 2 "Lempira";
    HTG 2 "Gourde";
    HUF 2 "Forint";
    IDR 2 "Rupiah";
    ILS 2 "New Israeli Sheqel";
    INR 2 "Indian Rupee";
    IQD 3 "Iraqi Dinar";
    IRR 2 "Iranian Rial";
    ISK 0 "Iceland Krona";
    JMD 2 "Jamaican Dollar";
    JOD 3 "Jordanian Dinar";
    JPY 0 "Yen";
    KES 2 "Kenyan Shilling";
    KGS 2 "Som";
    KHR 2 "Riel";
    KMF 0 "Comorian Franc";
    KPW 2 "North Korean Won";
    KRW 0 "Won";
    KWD 3 "Kuwaiti Dinar";
    KYD 2 "Cayman Islands Dollar";
    KZT 2 "Tenge";
    LAK 2 "Lao Kip";
    LBP 2 "Lebanese Pound";
    LKR 2 "Sri Lanka Rupee";
    LRD 2 "Liberian Dollar";
    LSL 2 "Loti";
    LYD 3 "Libyan Dinar";
    MAD 2 "Moroccan Dirham";
    MDL 2 "Moldovan Leu";
    MGA 2 "Malagasy Ariary";
    MKD 2 "Denar";
    MMK 2 "Kyat";
    MNT 2 "Tugrik";
    MOP 2 "Pataca";
    MRU 2 "Ouguiya";
    MUR 2 "Mauritius Rupee";
    MVR 2 "Rufiyaa";
    MWK 2 "Malawi Kwacha";
    MXN 2 "Mexican Peso";
    MXV 2 "Mexican Unidad de Inversion (UDI)";
    MYR 2 "Malaysian Ringgit";
    MZN 2 "Mozambique Metical";
    NAD 2 "Namibia Dollar";
    NGN 2 "Naira";
    NIO 2 "Cordoba Oro";
    NOK 2 "Norwegian Krone";
    NPR 2 "Nepalese Rupee";
    NZD 2 "New Zealand Dollar";
    OMR 3 "Rial Omani";
    PAB 2 "Balboa";
    PEN 2 "Sol";
    PGK 2 "Kina";
    PHP 2 "Philippine Peso";
    PKR 2 "Pakistan Rupee";
    PLN 2 "Zloty";
    PYG 0 "Guarani";
    QAR 2 "Qatari Rial";
    RON 2 "Romanian Leu";
    RSD 2 "Serbian Dinar";
    RUB 2 "Russian Ruble";
    RWF 0 "Rwanda Franc";
    SAR 2 "Saudi Riyal";
    SBD 2 "Solomon Islands Dollar";
    SCR 2 "Seychelles Rupee";
    SDG 2 "Sudanese Pound";
    SEK 2 "Swedish Krona";
    SGD 2 "Singapore Dollar";
    SHP 2 "Saint Helena Pound";
    SLE 2 "Leone";
    SLL 2 "Leone";
    SOS 2 "Somali Shilling";
    SRD 2 "Surinam Dollar";
    SSP 2 "South Sudanese Pound";
    STN 2 "Dobra";
    SVC 2 "El Salvador Colon";
    SYP 2 "Syrian Pound";
    SZL 2 "Lilangeni";
    THB 2 "Baht";
    TJS 2 "Somoni";
    TMT 2 "Turkmenistan New Manat";
    TND 3 "Tunisian Dinar";
    TOP 2 "Pa’anga";
    TRY 2 "Turkish Lira";
    TTD 2 "Trinidad and Tobago Dollar";
    TWD 2 "New Taiwan Dollar";
    TZS 2 "Tanzanian Shilling";
    UAH 2 "Hryvnia";
    UGX 0 "Uganda Shilling";
    USD 2 "US Dollar";
    USN 2 "US Dollar (Next day)";
    UYI 0 "Uruguay Peso en Unidades Indexadas (UI)";
    UYU 2 "Peso Uruguayo";
    UYW 4 "Unidad Previsional";
    UZS 2 "Uzbekistan Sum";
    VED 2 "Bolívar Soberano";
    VES 2 "Bolívar Soberano";
    VND 0 "Dong";
    VUV 0 "Vatu";
    WST 2 "Tala";
    XAF 0 "CFA Franc BEAC";
    XCD 2 "East Caribbean Dollar";
    XCG 2 "Caribbean Guilder";
    XOF 0 "CFA Franc BCEAO";
    XPF 0 "CFP Franc";
    YER 2 "Yemeni Rial";
    ZAR 2 "Rand";
    ZMW 2 "Zambian Kwacha";
    ZWG 2 "Zimbabwe Gold";
}

impl Currency {
    /// Reads a currency code: trims, any letter case (`"dkk"`, `" EUR "`).
    ///
    /// # Errors
    /// [`DomainError::ParseCurrency`] for anything that is not a supported
    /// ISO 4217 code, including symbols ("kr.", "€") and names.
    pub fn parse(input: &str) -> Result<Currency, DomainError> {
        let trimmed = input.trim();
        let found = if trimmed.len() == 3 && trimmed.is_ascii() {
            Currency::from_upper_code(&trimmed.to_ascii_uppercase())
        } else {
            None
        };
        found.ok_or_else(|| DomainError::ParseCurrency {
            input: input.to_owned(),
        })
    }

    /// ISO fund codes (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI, UYW): units of
    /// account that exist in ISO 4217 but are not what an invoice is paid in,
    /// so the readiness rules refuse them.
    pub const fn is_fund(self) -> bool {
        matches!(
            self,
            Currency::BOV
                | Currency::CHE
                | Currency::CHW
                | Currency::CLF
                | Currency::COU
                | Currency::MXV
                | Currency::USN
                | Currency::UYI
                | Currency::UYW
        )
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::parse(s)
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Currency::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_any_case_and_surrounding_whitespace() {
        assert_eq!(Currency::parse("dkk"), Ok(Currency::DKK));
        assert_eq!(Currency::parse(" Eur \n"), Ok(Currency::EUR));
        assert_eq!(Currency::parse("USD"), Ok(Currency::USD));
    }

    #[test]
    fn parse_rejects_unknown_empty_symbols_and_unicode_with_the_input() {
        for bad in [
            "", "   ", "XYZ", "kr.", "€", "DKKK", "DK", "ÐKK", "us d", "XAU", "XXX", "HRK",
        ] {
            assert_eq!(
                Currency::parse(bad),
                Err(DomainError::ParseCurrency {
                    input: bad.to_owned()
                }),
                "{bad:?} must be refused"
            );
        }
    }

    #[test]
    fn exponents_follow_iso_4217_minor_units() {
        assert_eq!(Currency::DKK.exponent(), 2);
        assert_eq!(Currency::JPY.exponent(), 0);
        assert_eq!(Currency::ISK.exponent(), 0);
        assert_eq!(Currency::UGX.exponent(), 0);
        assert_eq!(Currency::KWD.exponent(), 3);
        assert_eq!(Currency::CLF.exponent(), 4);
        assert_eq!(Currency::MGA.exponent(), 2);
    }

    #[test]
    fn every_code_round_trips_through_parse_and_is_three_upper_letters() {
        assert!(
            Currency::all().len() > 150,
            "the full ISO list, not a sample"
        );
        for &currency in Currency::all() {
            let code = currency.code();
            assert_eq!(code.len(), 3);
            assert!(code.chars().all(|c| c.is_ascii_uppercase()));
            assert_eq!(Currency::parse(&code.to_lowercase()), Ok(currency));
            assert!(!currency.name().is_empty());
        }
    }

    #[test]
    fn new_replacement_codes_are_known() {
        assert_eq!(Currency::parse("XCG"), Ok(Currency::XCG));
        assert_eq!(Currency::parse("ZWG"), Ok(Currency::ZWG));
        assert_eq!(Currency::parse("SLE"), Ok(Currency::SLE));
    }

    #[test]
    fn fund_codes_are_flagged_and_national_currencies_are_not() {
        assert!(Currency::CLF.is_fund());
        assert!(Currency::USN.is_fund());
        assert!(!Currency::USD.is_fund());
        assert!(!Currency::CLP.is_fund());
    }

    #[test]
    fn serde_uses_the_code_and_refuses_unknown_codes() {
        assert_eq!(serde_json::to_string(&Currency::DKK).unwrap(), "\"DKK\"");
        assert_eq!(
            serde_json::from_str::<Currency>("\"sek\"").unwrap(),
            Currency::SEK
        );
        assert!(serde_json::from_str::<Currency>("\"ABC\"").is_err());
    }
}
