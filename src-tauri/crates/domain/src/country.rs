//! ISO 3166-1 countries, read from whatever a source sends.
//!
//! Stripe sends alpha-2, QuickBooks often a name or alpha-3 ("USA"), Zoho a
//! name, spreadsheets anything ("Danmark", "U.K.", "deutschland"). The agency
//! wants alpha-2. [`CountryCode::parse`] accepts codes, the ISO English
//! names, common English short forms and the local names of the countries
//! our users mostly trade with, ignoring case, diacritics, punctuation and
//! extra spaces.
//!
//! The table is ISO 3166-1 as published in Debian's `iso-codes` 4.15
//! (249 entries); the English names are its short names, which the agency's
//! `country` field expects ("United States", "Czechia").

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::DomainError;
use crate::text::{lookup_key, non_blank};

macro_rules! countries {
    ($( $a2:ident $a3:literal $name:literal [$($alias:literal),*]; )+) => {
        /// An ISO 3166-1 country. Variants are the alpha-2 codes.
        ///
        /// Parse outside text with [`CountryCode::parse`]; serialises as the
        /// alpha-2 code (`"DK"`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[allow(clippy::upper_case_acronyms)] // the variants *are* ISO codes
        pub enum CountryCode {
            $( #[doc = $name] $a2, )+
        }

        impl CountryCode {
            /// All 249 ISO 3166-1 countries, in alpha-2 order.
            pub const ALL: &'static [CountryCode] = &[$(CountryCode::$a2),+];

            /// The alpha-2 code (`"DK"`), which the agency's `countryAlpha2` takes.
            pub const fn alpha2(self) -> &'static str {
                match self { $(CountryCode::$a2 => stringify!($a2),)+ }
            }

            /// The alpha-3 code (`"DNK"`).
            pub const fn alpha3(self) -> &'static str {
                match self { $(CountryCode::$a2 => $a3,)+ }
            }

            /// The ISO 3166-1 English short name ("Denmark", "United States",
            /// "Korea, Republic of"): the form the agency's `country` field
            /// matches exactly.
            pub const fn official_english_name(self) -> &'static str {
                match self { $(CountryCode::$a2 => $name,)+ }
            }

            /// ISO's other English names: the formal name and, where ISO has
            /// one, the common name ("Kingdom of Denmark", "South Korea").
            const fn iso_aliases(self) -> &'static [&'static str] {
                match self { $(CountryCode::$a2 => &[$($alias),*],)+ }
            }
        }
    };
}

countries! {
    AD "AND" "Andorra" ["Principality of Andorra"];
    AE "ARE" "United Arab Emirates" [];
    AF "AFG" "Afghanistan" ["Islamic Republic of Afghanistan"];
    AG "ATG" "Antigua and Barbuda" [];
    AI "AIA" "Anguilla" [];
    AL "ALB" "Albania" ["Republic of Albania"];
    AM "ARM" "Armenia" ["Republic of Armenia"];
    AO "AGO" "Angola" ["Republic of Angola"];
    AQ "ATA" "Antarctica" [];
    AR "ARG" "Argentina" ["Argentine Republic"];
    AS "ASM" "American Samoa" [];
    AT "AUT" "Austria" ["Republic of Austria"];
    AU "AUS" "Australia" [];
    AW "ABW" "Aruba" [];
    AX "ALA" "Åland Islands" [];
    AZ "AZE" "Azerbaijan" ["Republic of Azerbaijan"];
    BA "BIH" "Bosnia and Herzegovina" ["Republic of Bosnia and Herzegovina"];
    BB "BRB" "Barbados" [];
    BD "BGD" "Bangladesh" ["People's Republic of Bangladesh"];
    BE "BEL" "Belgium" ["Kingdom of Belgium"];
    BF "BFA" "Burkina Faso" [];
    BG "BGR" "Bulgaria" ["Republic of Bulgaria"];
    BH "BHR" "Bahrain" ["Kingdom of Bahrain"];
    BI "BDI" "Burundi" ["Republic of Burundi"];
    BJ "BEN" "Benin" ["Republic of Benin"];
    BL "BLM" "Saint Barthélemy" [];
    BM "BMU" "Bermuda" [];
    BN "BRN" "Brunei Darussalam" [];
    BO "BOL" "Bolivia, Plurinational State of" ["Plurinational State of Bolivia", "Bolivia"];
    BQ "BES" "Bonaire, Sint Eustatius and Saba" [];
    BR "BRA" "Brazil" ["Federative Republic of Brazil"];
    BS "BHS" "Bahamas" ["Commonwealth of the Bahamas"];
    BT "BTN" "Bhutan" ["Kingdom of Bhutan"];
    BV "BVT" "Bouvet Island" [];
    BW "BWA" "Botswana" ["Republic of Botswana"];
    BY "BLR" "Belarus" ["Republic of Belarus"];
    BZ "BLZ" "Belize" [];
    CA "CAN" "Canada" [];
    CC "CCK" "Cocos (Keeling) Islands" [];
    CD "COD" "Congo, The Democratic Republic of the" [];
    CF "CAF" "Central African Republic" [];
    CG "COG" "Congo" ["Republic of the Congo"];
    CH "CHE" "Switzerland" ["Swiss Confederation"];
    CI "CIV" "Côte d'Ivoire" ["Republic of Côte d'Ivoire"];
    CK "COK" "Cook Islands" [];
    CL "CHL" "Chile" ["Republic of Chile"];
    CM "CMR" "Cameroon" ["Republic of Cameroon"];
    CN "CHN" "China" ["People's Republic of China"];
    CO "COL" "Colombia" ["Republic of Colombia"];
    CR "CRI" "Costa Rica" ["Republic of Costa Rica"];
    CU "CUB" "Cuba" ["Republic of Cuba"];
    CV "CPV" "Cabo Verde" ["Republic of Cabo Verde"];
    CW "CUW" "Curaçao" [];
    CX "CXR" "Christmas Island" [];
    CY "CYP" "Cyprus" ["Republic of Cyprus"];
    CZ "CZE" "Czechia" ["Czech Republic"];
    DE "DEU" "Germany" ["Federal Republic of Germany"];
    DJ "DJI" "Djibouti" ["Republic of Djibouti"];
    DK "DNK" "Denmark" ["Kingdom of Denmark"];
    DM "DMA" "Dominica" ["Commonwealth of Dominica"];
    DO "DOM" "Dominican Republic" [];
    DZ "DZA" "Algeria" ["People's Democratic Republic of Algeria"];
    EC "ECU" "Ecuador" ["Republic of Ecuador"];
    EE "EST" "Estonia" ["Republic of Estonia"];
    EG "EGY" "Egypt" ["Arab Republic of Egypt"];
    EH "ESH" "Western Sahara" [];
    ER "ERI" "Eritrea" ["the State of Eritrea"];
    ES "ESP" "Spain" ["Kingdom of Spain"];
    ET "ETH" "Ethiopia" ["Federal Democratic Republic of Ethiopia"];
    FI "FIN" "Finland" ["Republic of Finland"];
    FJ "FJI" "Fiji" ["Republic of Fiji"];
    FK "FLK" "Falkland Islands (Malvinas)" [];
    FM "FSM" "Micronesia, Federated States of" ["Federated States of Micronesia"];
    FO "FRO" "Faroe Islands" [];
    FR "FRA" "France" ["French Republic"];
    GA "GAB" "Gabon" ["Gabonese Republic"];
    GB "GBR" "United Kingdom" ["United Kingdom of Great Britain and Northern Ireland"];
    GD "GRD" "Grenada" [];
    GE "GEO" "Georgia" [];
    GF "GUF" "French Guiana" [];
    GG "GGY" "Guernsey" [];
    GH "GHA" "Ghana" ["Republic of Ghana"];
    GI "GIB" "Gibraltar" [];
    GL "GRL" "Greenland" [];
    GM "GMB" "Gambia" ["Republic of the Gambia"];
    GN "GIN" "Guinea" ["Republic of Guinea"];
    GP "GLP" "Guadeloupe" [];
    GQ "GNQ" "Equatorial Guinea" ["Republic of Equatorial Guinea"];
    GR "GRC" "Greece" ["Hellenic Republic"];
    GS "SGS" "South Georgia and the South Sandwich Islands" [];
    GT "GTM" "Guatemala" ["Republic of Guatemala"];
    GU "GUM" "Guam" [];
    GW "GNB" "Guinea-Bissau" ["Republic of Guinea-Bissau"];
    GY "GUY" "Guyana" ["Republic of Guyana"];
    HK "HKG" "Hong Kong" ["Hong Kong Special Administrative Region of China"];
    HM "HMD" "Heard Island and McDonald Islands" [];
    HN "HND" "Honduras" ["Republic of Honduras"];
    HR "HRV" "Croatia" ["Republic of Croatia"];
    HT "HTI" "Haiti" ["Republic of Haiti"];
    HU "HUN" "Hungary" [];
    ID "IDN" "Indonesia" ["Republic of Indonesia"];
    IE "IRL" "Ireland" [];
    IL "ISR" "Israel" ["State of Israel"];
    IM "IMN" "Isle of Man" [];
    IN "IND" "India" ["Republic of India"];
    IO "IOT" "British Indian Ocean Territory" [];
    IQ "IRQ" "Iraq" ["Republic of Iraq"];
    IR "IRN" "Iran, Islamic Republic of" ["Islamic Republic of Iran", "Iran"];
    IS "ISL" "Iceland" ["Republic of Iceland"];
    IT "ITA" "Italy" ["Italian Republic"];
    JE "JEY" "Jersey" [];
    JM "JAM" "Jamaica" [];
    JO "JOR" "Jordan" ["Hashemite Kingdom of Jordan"];
    JP "JPN" "Japan" [];
    KE "KEN" "Kenya" ["Republic of Kenya"];
    KG "KGZ" "Kyrgyzstan" ["Kyrgyz Republic"];
    KH "KHM" "Cambodia" ["Kingdom of Cambodia"];
    KI "KIR" "Kiribati" ["Republic of Kiribati"];
    KM "COM" "Comoros" ["Union of the Comoros"];
    KN "KNA" "Saint Kitts and Nevis" [];
    KP "PRK" "Korea, Democratic People's Republic of" ["Democratic People's Republic of Korea", "North Korea"];
    KR "KOR" "Korea, Republic of" ["South Korea"];
    KW "KWT" "Kuwait" ["State of Kuwait"];
    KY "CYM" "Cayman Islands" [];
    KZ "KAZ" "Kazakhstan" ["Republic of Kazakhstan"];
    LA "LAO" "Lao People's Democratic Republic" ["Laos"];
    LB "LBN" "Lebanon" ["Lebanese Republic"];
    LC "LCA" "Saint Lucia" [];
    LI "LIE" "Liechtenstein" ["Principality of Liechtenstein"];
    LK "LKA" "Sri Lanka" ["Democratic Socialist Republic of Sri Lanka"];
    LR "LBR" "Liberia" ["Republic of Liberia"];
    LS "LSO" "Lesotho" ["Kingdom of Lesotho"];
    LT "LTU" "Lithuania" ["Republic of Lithuania"];
    LU "LUX" "Luxembourg" ["Grand Duchy of Luxembourg"];
    LV "LVA" "Latvia" ["Republic of Latvia"];
    LY "LBY" "Libya" [];
    MA "MAR" "Morocco" ["Kingdom of Morocco"];
    MC "MCO" "Monaco" ["Principality of Monaco"];
    MD "MDA" "Moldova, Republic of" ["Republic of Moldova", "Moldova"];
    ME "MNE" "Montenegro" [];
    MF "MAF" "Saint Martin (French part)" [];
    MG "MDG" "Madagascar" ["Republic of Madagascar"];
    MH "MHL" "Marshall Islands" ["Republic of the Marshall Islands"];
    MK "MKD" "North Macedonia" ["Republic of North Macedonia"];
    ML "MLI" "Mali" ["Republic of Mali"];
    MM "MMR" "Myanmar" ["Republic of Myanmar"];
    MN "MNG" "Mongolia" [];
    MO "MAC" "Macao" ["Macao Special Administrative Region of China"];
    MP "MNP" "Northern Mariana Islands" ["Commonwealth of the Northern Mariana Islands"];
    MQ "MTQ" "Martinique" [];
    MR "MRT" "Mauritania" ["Islamic Republic of Mauritania"];
    MS "MSR" "Montserrat" [];
    MT "MLT" "Malta" ["Republic of Malta"];
    MU "MUS" "Mauritius" ["Republic of Mauritius"];
    MV "MDV" "Maldives" ["Republic of Maldives"];
    MW "MWI" "Malawi" ["Republic of Malawi"];
    MX "MEX" "Mexico" ["United Mexican States"];
    MY "MYS" "Malaysia" [];
    MZ "MOZ" "Mozambique" ["Republic of Mozambique"];
    NA "NAM" "Namibia" ["Republic of Namibia"];
    NC "NCL" "New Caledonia" [];
    NE "NER" "Niger" ["Republic of the Niger"];
    NF "NFK" "Norfolk Island" [];
    NG "NGA" "Nigeria" ["Federal Republic of Nigeria"];
    NI "NIC" "Nicaragua" ["Republic of Nicaragua"];
    NL "NLD" "Netherlands" ["Kingdom of the Netherlands"];
    NO "NOR" "Norway" ["Kingdom of Norway"];
    NP "NPL" "Nepal" ["Federal Democratic Republic of Nepal"];
    NR "NRU" "Nauru" ["Republic of Nauru"];
    NU "NIU" "Niue" [];
    NZ "NZL" "New Zealand" [];
    OM "OMN" "Oman" ["Sultanate of Oman"];
    PA "PAN" "Panama" ["Republic of Panama"];
    PE "PER" "Peru" ["Republic of Peru"];
    PF "PYF" "French Polynesia" [];
    PG "PNG" "Papua New Guinea" ["Independent State of Papua New Guinea"];
    PH "PHL" "Philippines" ["Republic of the Philippines"];
    PK "PAK" "Pakistan" ["Islamic Republic of Pakistan"];
    PL "POL" "Poland" ["Republic of Poland"];
    PM "SPM" "Saint Pierre and Miquelon" [];
    PN "PCN" "Pitcairn" [];
    PR "PRI" "Puerto Rico" [];
    PS "PSE" "Palestine, State of" ["the State of Palestine"];
    PT "PRT" "Portugal" ["Portuguese Republic"];
    PW "PLW" "Palau" ["Republic of Palau"];
    PY "PRY" "Paraguay" ["Republic of Paraguay"];
    QA "QAT" "Qatar" ["State of Qatar"];
    RE "REU" "Réunion" [];
    RO "ROU" "Romania" [];
    RS "SRB" "Serbia" ["Republic of Serbia"];
    RU "RUS" "Russian Federation" [];
    RW "RWA" "Rwanda" ["Rwandese Republic"];
    SA "SAU" "Saudi Arabia" ["Kingdom of Saudi Arabia"];
    SB "SLB" "Solomon Islands" [];
    SC "SYC" "Seychelles" ["Republic of Seychelles"];
    SD "SDN" "Sudan" ["Republic of the Sudan"];
    SE "SWE" "Sweden" ["Kingdom of Sweden"];
    SG "SGP" "Singapore" ["Republic of Singapore"];
    SH "SHN" "Saint Helena, Ascension and Tristan da Cunha" [];
    SI "SVN" "Slovenia" ["Republic of Slovenia"];
    SJ "SJM" "Svalbard and Jan Mayen" [];
    SK "SVK" "Slovakia" ["Slovak Republic"];
    SL "SLE" "Sierra Leone" ["Republic of Sierra Leone"];
    SM "SMR" "San Marino" ["Republic of San Marino"];
    SN "SEN" "Senegal" ["Republic of Senegal"];
    SO "SOM" "Somalia" ["Federal Republic of Somalia"];
    SR "SUR" "Suriname" ["Republic of Suriname"];
    SS "SSD" "South Sudan" ["Republic of South Sudan"];
    ST "STP" "Sao Tome and Principe" ["Democratic Republic of Sao Tome and Principe"];
    SV "SLV" "El Salvador" ["Republic of El Salvador"];
    SX "SXM" "Sint Maarten (Dutch part)" [];
    SY "SYR" "Syrian Arab Republic" ["Syria"];
    SZ "SWZ" "Eswatini" ["Kingdom of Eswatini"];
    TC "TCA" "Turks and Caicos Islands" [];
    TD "TCD" "Chad" ["Republic of Chad"];
    TF "ATF" "French Southern Territories" [];
    TG "TGO" "Togo" ["Togolese Republic"];
    TH "THA" "Thailand" ["Kingdom of Thailand"];
    TJ "TJK" "Tajikistan" ["Republic of Tajikistan"];
    TK "TKL" "Tokelau" [];
    TL "TLS" "Timor-Leste" ["Democratic Republic of Timor-Leste"];
    TM "TKM" "Turkmenistan" [];
    TN "TUN" "Tunisia" ["Republic of Tunisia"];
    TO "TON" "Tonga" ["Kingdom of Tonga"];
    TR "TUR" "Türkiye" ["Republic of Türkiye"];
    TT "TTO" "Trinidad and Tobago" ["Republic of Trinidad and Tobago"];
    TV "TUV" "Tuvalu" [];
    TW "TWN" "Taiwan, Province of China" ["Taiwan"];
    TZ "TZA" "Tanzania, United Republic of" ["United Republic of Tanzania", "Tanzania"];
    UA "UKR" "Ukraine" [];
    UG "UGA" "Uganda" ["Republic of Uganda"];
    UM "UMI" "United States Minor Outlying Islands" [];
    US "USA" "United States" ["United States of America"];
    UY "URY" "Uruguay" ["Eastern Republic of Uruguay"];
    UZ "UZB" "Uzbekistan" ["Republic of Uzbekistan"];
    VA "VAT" "Holy See (Vatican City State)" [];
    VC "VCT" "Saint Vincent and the Grenadines" [];
    VE "VEN" "Venezuela, Bolivarian Republic of" ["Bolivarian Republic of Venezuela", "Venezuela"];
    VG "VGB" "Virgin Islands, British" ["British Virgin Islands"];
    VI "VIR" "Virgin Islands, U.S." ["Virgin Islands of the United States"];
    VN "VNM" "Viet Nam" ["Socialist Republic of Viet Nam", "Vietnam"];
    VU "VUT" "Vanuatu" ["Republic of Vanuatu"];
    WF "WLF" "Wallis and Futuna" [];
    WS "WSM" "Samoa" ["Independent State of Samoa"];
    YE "YEM" "Yemen" ["Republic of Yemen"];
    YT "MYT" "Mayotte" [];
    ZA "ZAF" "South Africa" ["Republic of South Africa"];
    ZM "ZMB" "Zambia" ["Republic of Zambia"];
    ZW "ZWE" "Zimbabwe" ["Republic of Zimbabwe"];
}

/// Names ISO does not list but sources and people use: English short forms,
/// and local names (Danish, Swedish, Norwegian, Finnish, German, Dutch,
/// French, Spanish, Italian, Polish…) of the countries our users invoice
/// most. Keys are compared after [`lookup_key`], so accents and case here
/// are only for the reader.
const EXTRA_NAMES: &[(&str, CountryCode)] = &[
    // English short and informal forms
    ("USA", CountryCode::US),
    ("US of A", CountryCode::US),
    ("United States of America", CountryCode::US),
    ("America", CountryCode::US),
    ("UK", CountryCode::GB),
    ("Great Britain", CountryCode::GB),
    ("Britain", CountryCode::GB),
    ("England", CountryCode::GB),
    ("Scotland", CountryCode::GB),
    ("Wales", CountryCode::GB),
    ("Northern Ireland", CountryCode::GB),
    ("Holland", CountryCode::NL),
    ("The Netherlands", CountryCode::NL),
    ("Czech Republic", CountryCode::CZ),
    ("Russia", CountryCode::RU),
    ("Turkey", CountryCode::TR),
    ("Turkiye", CountryCode::TR),
    ("Republic of Korea", CountryCode::KR),
    ("Korea South", CountryCode::KR),
    ("Macedonia", CountryCode::MK),
    ("Ivory Coast", CountryCode::CI),
    ("Cape Verde", CountryCode::CV),
    ("Swaziland", CountryCode::SZ),
    ("Burma", CountryCode::MM),
    ("Vatican", CountryCode::VA),
    ("Vatican City", CountryCode::VA),
    ("Holy See", CountryCode::VA),
    ("Palestine", CountryCode::PS),
    ("Micronesia", CountryCode::FM),
    ("Brunei", CountryCode::BN),
    ("UAE", CountryCode::AE),
    ("Emirates", CountryCode::AE),
    ("Democratic Republic of the Congo", CountryCode::CD),
    ("DR Congo", CountryCode::CD),
    ("DRC", CountryCode::CD),
    ("Congo-Kinshasa", CountryCode::CD),
    ("Congo-Brazzaville", CountryCode::CG),
    ("Bosnia", CountryCode::BA),
    ("Bosnia-Herzegovina", CountryCode::BA),
    ("Hong Kong SAR", CountryCode::HK),
    ("Macau", CountryCode::MO),
    ("East Timor", CountryCode::TL),
    ("Faroe Islands", CountryCode::FO),
    ("Saint Kitts", CountryCode::KN),
    ("Trinidad", CountryCode::TT),
    ("Republic of Ireland", CountryCode::IE),
    ("Slovak Republic", CountryCode::SK),
    ("Saint Martin", CountryCode::MF),
    ("Sint Maarten", CountryCode::SX),
    ("Falkland Islands", CountryCode::FK),
    ("Saint Helena", CountryCode::SH),
    ("Persia", CountryCode::IR),
    ("Greenland", CountryCode::GL),
    // Danish
    ("Danmark", CountryCode::DK),
    ("Tyskland", CountryCode::DE),
    ("Frankrig", CountryCode::FR),
    ("Storbritannien", CountryCode::GB),
    ("Nederlandene", CountryCode::NL),
    ("Østrig", CountryCode::AT),
    ("Grækenland", CountryCode::GR),
    ("Tjekkiet", CountryCode::CZ),
    ("Færøerne", CountryCode::FO),
    ("Grønland", CountryCode::GL),
    ("Kalaallit Nunaat", CountryCode::GL),
    ("Forenede Stater", CountryCode::US),
    ("Det Forenede Kongerige", CountryCode::GB),
    ("Spanien", CountryCode::ES),
    ("Italien", CountryCode::IT),
    ("Belgien", CountryCode::BE),
    ("Schweiz", CountryCode::CH),
    ("Polen", CountryCode::PL),
    ("Irland", CountryCode::IE),
    ("Island", CountryCode::IS),
    ("Ungarn", CountryCode::HU),
    ("Kina", CountryCode::CN),
    // Swedish
    ("Sverige", CountryCode::SE),
    ("Frankrike", CountryCode::FR),
    ("Nederländerna", CountryCode::NL),
    ("Österrike", CountryCode::AT),
    ("Grekland", CountryCode::GR),
    ("Tjeckien", CountryCode::CZ),
    ("Ungern", CountryCode::HU),
    ("Finland", CountryCode::FI),
    ("Färöarna", CountryCode::FO),
    // Norwegian
    ("Norge", CountryCode::NO),
    ("Noreg", CountryCode::NO),
    ("Østerrike", CountryCode::AT),
    ("Sveits", CountryCode::CH),
    ("Spania", CountryCode::ES),
    ("Hellas", CountryCode::GR),
    ("Færøyene", CountryCode::FO),
    ("Føroyar", CountryCode::FO),
    // Finnish
    ("Suomi", CountryCode::FI),
    ("Ruotsi", CountryCode::SE),
    ("Norja", CountryCode::NO),
    ("Tanska", CountryCode::DK),
    ("Saksa", CountryCode::DE),
    // Icelandic
    ("Ísland", CountryCode::IS),
    // German
    ("Deutschland", CountryCode::DE),
    ("Bundesrepublik Deutschland", CountryCode::DE),
    ("Dänemark", CountryCode::DK),
    ("Schweden", CountryCode::SE),
    ("Norwegen", CountryCode::NO),
    ("Finnland", CountryCode::FI),
    ("Niederlande", CountryCode::NL),
    ("Österreich", CountryCode::AT),
    ("Frankreich", CountryCode::FR),
    ("Griechenland", CountryCode::GR),
    ("Tschechien", CountryCode::CZ),
    ("Vereinigte Staaten", CountryCode::US),
    ("Vereinigte Staaten von Amerika", CountryCode::US),
    ("Vereinigtes Königreich", CountryCode::GB),
    ("Großbritannien", CountryCode::GB),
    ("Luxemburg", CountryCode::LU),
    // Dutch
    ("Nederland", CountryCode::NL),
    ("België", CountryCode::BE),
    ("Duitsland", CountryCode::DE),
    ("Denemarken", CountryCode::DK),
    ("Zweden", CountryCode::SE),
    ("Noorwegen", CountryCode::NO),
    ("Frankrijk", CountryCode::FR),
    ("Spanje", CountryCode::ES),
    ("Oostenrijk", CountryCode::AT),
    ("Zwitserland", CountryCode::CH),
    ("Italië", CountryCode::IT),
    ("Verenigd Koninkrijk", CountryCode::GB),
    ("Verenigde Staten", CountryCode::US),
    ("Ierland", CountryCode::IE),
    ("IJsland", CountryCode::IS),
    // French
    ("Belgique", CountryCode::BE),
    ("Suisse", CountryCode::CH),
    ("Allemagne", CountryCode::DE),
    ("Danemark", CountryCode::DK),
    ("Suède", CountryCode::SE),
    ("Norvège", CountryCode::NO),
    ("Finlande", CountryCode::FI),
    ("Pays-Bas", CountryCode::NL),
    ("Espagne", CountryCode::ES),
    ("Autriche", CountryCode::AT),
    ("Italie", CountryCode::IT),
    ("Pologne", CountryCode::PL),
    ("Royaume-Uni", CountryCode::GB),
    ("États-Unis", CountryCode::US),
    ("Irlande", CountryCode::IE),
    ("Islande", CountryCode::IS),
    // Spanish
    ("España", CountryCode::ES),
    ("Alemania", CountryCode::DE),
    ("Dinamarca", CountryCode::DK),
    ("Suecia", CountryCode::SE),
    ("Noruega", CountryCode::NO),
    ("Finlandia", CountryCode::FI),
    ("Países Bajos", CountryCode::NL),
    ("Francia", CountryCode::FR),
    ("Suiza", CountryCode::CH),
    ("Bélgica", CountryCode::BE),
    ("Polonia", CountryCode::PL),
    ("Reino Unido", CountryCode::GB),
    ("Estados Unidos", CountryCode::US),
    ("Irlanda", CountryCode::IE),
    ("Islandia", CountryCode::IS),
    ("México", CountryCode::MX),
    // Italian and Romansh
    ("Italia", CountryCode::IT),
    ("Svizzera", CountryCode::CH),
    ("Germania", CountryCode::DE),
    ("Danimarca", CountryCode::DK),
    ("Svezia", CountryCode::SE),
    ("Norvegia", CountryCode::NO),
    ("Spagna", CountryCode::ES),
    ("Belgio", CountryCode::BE),
    ("Paesi Bassi", CountryCode::NL),
    ("Regno Unito", CountryCode::GB),
    ("Stati Uniti", CountryCode::US),
    ("Svizra", CountryCode::CH),
    // Other European local names
    ("Polska", CountryCode::PL),
    ("Česko", CountryCode::CZ),
    ("Česká republika", CountryCode::CZ),
    ("Slovensko", CountryCode::SK),
    ("Magyarország", CountryCode::HU),
    ("Eesti", CountryCode::EE),
    ("Latvija", CountryCode::LV),
    ("Lietuva", CountryCode::LT),
    ("Éire", CountryCode::IE),
    ("Ελλάδα", CountryCode::GR),
    ("Hrvatska", CountryCode::HR),
    ("Slovenija", CountryCode::SI),
    ("România", CountryCode::RO),
    ("България", CountryCode::BG),
    ("Lëtzebuerg", CountryCode::LU),
    ("Brasil", CountryCode::BR),
];

/// Every accepted spelling, as a [`lookup_key`], to its country. Built once:
/// ~1,000 entries, cheap, and it keeps parsing O(1) for a million-row import.
static BY_KEY: LazyLock<HashMap<String, CountryCode>> = LazyLock::new(|| {
    let mut map = HashMap::new();
    for &country in CountryCode::ALL {
        for name in [
            country.alpha2(),
            country.alpha3(),
            country.official_english_name(),
        ]
        .into_iter()
        .chain(country.iso_aliases().iter().copied())
        {
            map.insert(country_key(name), country);
        }
    }
    for &(name, country) in EXTRA_NAMES {
        map.insert(country_key(name), country);
    }
    map
});

/// A [`lookup_key`] without a leading "the", which sources add or drop at
/// will ("The Gambia", "the Netherlands"), and with a leading "St" read as
/// "Saint" ("St. Lucia" = "Saint Lucia").
fn country_key(s: &str) -> String {
    // Codes and one-word names ("DK", "DNK", "Denmark") are most of what sources send, and
    // their key is just the lower-cased text: no folding, no words to split or prefix to drop.
    if s.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return s.to_ascii_lowercase();
    }
    let key = lookup_key(s);
    let key = key.strip_prefix("the ").unwrap_or(&key);
    match key.strip_prefix("st ") {
        Some(rest) => format!("saint {rest}"),
        None => key.to_owned(),
    }
}

impl CountryCode {
    /// Reads a country from a code or name.
    ///
    /// Accepts alpha-2 (`"dk"`), alpha-3 (`"DNK"`), ISO English names
    /// ("Denmark", "Korea, Republic of", "Kingdom of Denmark"), common short
    /// forms ("USA", "UK", "Great Britain", "South Korea") and local names
    /// ("Danmark", "Deutschland", "Österreich", "Suisse"…). Case, diacritics,
    /// dots, commas and spacing are ignored, and a leading "the" is dropped.
    ///
    /// # Errors
    /// [`DomainError::ParseCountry`] with the input when nothing matches
    /// (including ambiguous names like "Korea" and non-ISO ones like
    /// "Kosovo").
    pub fn parse(input: &str) -> Result<CountryCode, DomainError> {
        BY_KEY
            .get(&country_key(input))
            .copied()
            .ok_or_else(|| DomainError::ParseCountry {
                input: input.to_owned(),
            })
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.alpha2())
    }
}

impl FromStr for CountryCode {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CountryCode::parse(s)
    }
}

impl Serialize for CountryCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.alpha2())
    }
}

impl<'de> Deserialize<'de> for CountryCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        CountryCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A country as a source wrote it, with the country we recognised in it (if
/// any). Keeping the raw text lets the checklist say "we could not read
/// 'Jylland' as a country" instead of only "country missing".
///
/// Serialises as the raw text; deserialising parses it again, so the two
/// halves can never disagree.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CountryInput {
    raw: String,
    code: Option<CountryCode>,
}

impl CountryInput {
    /// Wraps a source's country text; `None` when it is blank.
    pub fn new(raw: &str) -> Option<CountryInput> {
        let raw = non_blank(Some(raw))?;
        Some(CountryInput {
            raw: raw.to_owned(),
            code: CountryCode::parse(raw).ok(),
        })
    }

    /// The trimmed text as received.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// The recognised country, if the text named one.
    pub fn code(&self) -> Option<CountryCode> {
        self.code
    }
}

impl From<CountryCode> for CountryInput {
    fn from(code: CountryCode) -> Self {
        CountryInput {
            raw: code.alpha2().to_owned(),
            code: Some(code),
        }
    }
}

impl Serialize for CountryInput {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for CountryInput {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        CountryInput::new(&s)
            .ok_or_else(|| serde::de::Error::custom("a country text must not be blank"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_one_word_shortcut_gives_the_same_key_as_the_full_normalisation() {
        for input in ["DK", "dnk", "Denmark", "DENMARK", "Deutschland", "x1", "", "GB", "Usa"] {
            let full = lookup_key(input);
            assert_eq!(country_key(input), full, "{input}");
        }
    }

    #[test]
    fn all_249_iso_countries_are_present() {
        assert_eq!(CountryCode::ALL.len(), 249);
    }

    #[test]
    fn codes_parse_in_any_case() {
        assert_eq!(CountryCode::parse("dk"), Ok(CountryCode::DK));
        assert_eq!(CountryCode::parse(" DK "), Ok(CountryCode::DK));
        assert_eq!(CountryCode::parse("DNK"), Ok(CountryCode::DK));
        assert_eq!(CountryCode::parse("usa"), Ok(CountryCode::US));
        assert_eq!(CountryCode::parse("gbr"), Ok(CountryCode::GB));
    }

    #[test]
    fn english_names_and_short_forms_parse() {
        let cases = [
            ("Denmark", CountryCode::DK),
            ("United States", CountryCode::US),
            ("United States of America", CountryCode::US),
            ("U.S.A.", CountryCode::US),
            ("UK", CountryCode::GB),
            ("U.K.", CountryCode::GB),
            ("Great Britain", CountryCode::GB),
            ("United Kingdom", CountryCode::GB),
            ("Korea, Republic of", CountryCode::KR),
            ("South Korea", CountryCode::KR),
            ("Czech Republic", CountryCode::CZ),
            ("Czechia", CountryCode::CZ),
            ("the Netherlands", CountryCode::NL),
            ("Bosnia & Herzegovina", CountryCode::BA),
            ("Bosnia and Herzegovina", CountryCode::BA),
            ("Cote d'Ivoire", CountryCode::CI),
            ("Viet Nam", CountryCode::VN),
            ("Vietnam", CountryCode::VN),
            ("Congo", CountryCode::CG),
            ("DR Congo", CountryCode::CD),
            ("Kingdom of Denmark", CountryCode::DK),
            ("St. Lucia", CountryCode::LC),
            ("St Vincent and the Grenadines", CountryCode::VC),
            ("Saint Barthélemy", CountryCode::BL),
            ("The Gambia", CountryCode::GM),
            ("Republic of Ireland", CountryCode::IE),
            ("Curacao", CountryCode::CW),
            ("Aland Islands", CountryCode::AX),
        ];
        for (input, expected) in cases {
            assert_eq!(CountryCode::parse(input), Ok(expected), "{input}");
        }
    }

    #[test]
    fn local_names_parse_ignoring_diacritics_case_and_spacing() {
        let cases = [
            ("Danmark", CountryCode::DK),
            ("Deutschland", CountryCode::DE),
            ("Sverige", CountryCode::SE),
            ("Norge", CountryCode::NO),
            ("Suomi", CountryCode::FI),
            ("Nederland", CountryCode::NL),
            ("España", CountryCode::ES),
            ("Espana", CountryCode::ES),
            ("Österreich", CountryCode::AT),
            ("OSTERREICH", CountryCode::AT),
            ("Schweiz", CountryCode::CH),
            ("Suisse", CountryCode::CH),
            ("België", CountryCode::BE),
            ("Belgique", CountryCode::BE),
            ("France", CountryCode::FR),
            ("Italia", CountryCode::IT),
            ("Polska", CountryCode::PL),
            ("Ísland", CountryCode::IS),
            ("  grossbritannien ", CountryCode::GB),
            ("Großbritannien", CountryCode::GB),
            ("Færøerne", CountryCode::FO),
            ("ÉTATS-UNIS", CountryCode::US),
            ("Ελλάδα", CountryCode::GR),
        ];
        for (input, expected) in cases {
            assert_eq!(CountryCode::parse(input), Ok(expected), "{input}");
        }
    }

    #[test]
    fn bad_input_is_refused_with_the_input_kept() {
        for bad in [
            "", "   ", "ZZ", "XYZ", "Jylland", "Korea", "Kosovo", "🇩🇰", "D K", "--",
        ] {
            assert_eq!(
                CountryCode::parse(bad),
                Err(DomainError::ParseCountry {
                    input: bad.to_owned()
                }),
                "{bad:?} must be refused"
            );
        }
    }

    #[test]
    fn every_country_parses_from_its_codes_and_names() {
        for &country in CountryCode::ALL {
            assert_eq!(CountryCode::parse(country.alpha2()), Ok(country));
            assert_eq!(CountryCode::parse(country.alpha3()), Ok(country));
            assert_eq!(
                CountryCode::parse(country.official_english_name()),
                Ok(country),
                "{}",
                country.official_english_name()
            );
            for alias in country.iso_aliases() {
                assert_eq!(CountryCode::parse(alias), Ok(country), "{alias}");
            }
        }
    }

    #[test]
    fn no_extra_name_shadows_a_different_iso_spelling() {
        // An extra name that collided with another country's code or ISO
        // name would silently re-route that country; refuse such entries.
        for &(name, country) in EXTRA_NAMES {
            assert_eq!(CountryCode::parse(name), Ok(country), "{name}");
            for &other in CountryCode::ALL.iter().filter(|&&c| c != country) {
                let key = country_key(name);
                assert_ne!(key, country_key(other.alpha2()), "{name} vs {other}");
                assert_ne!(key, country_key(other.alpha3()), "{name} vs {other}");
                assert_ne!(
                    key,
                    country_key(other.official_english_name()),
                    "{name} vs {other}"
                );
            }
        }
    }

    #[test]
    fn official_english_names_are_the_iso_short_names() {
        assert_eq!(CountryCode::DK.official_english_name(), "Denmark");
        assert_eq!(CountryCode::US.official_english_name(), "United States");
        assert_eq!(CountryCode::GB.official_english_name(), "United Kingdom");
        assert_eq!(CountryCode::DK.alpha3(), "DNK");
    }

    #[test]
    fn serde_round_trips_as_alpha2() {
        assert_eq!(serde_json::to_string(&CountryCode::DE).unwrap(), "\"DE\"");
        assert_eq!(
            serde_json::from_str::<CountryCode>("\"DE\"").unwrap(),
            CountryCode::DE
        );
        assert!(serde_json::from_str::<CountryCode>("\"Narnia\"").is_err());
    }

    #[test]
    fn country_input_keeps_raw_text_and_recognised_code() {
        let good = CountryInput::new(" Danmark ").unwrap();
        assert_eq!(good.raw(), "Danmark");
        assert_eq!(good.code(), Some(CountryCode::DK));
        let bad = CountryInput::new("Jylland").unwrap();
        assert_eq!(bad.code(), None);
        assert_eq!(CountryInput::new("  "), None);
    }

    #[test]
    fn country_input_serde_reparses_the_raw_text() {
        let input = CountryInput::new("Sverige").unwrap();
        let json = serde_json::to_string(&input).unwrap();
        assert_eq!(json, "\"Sverige\"");
        let back: CountryInput = serde_json::from_str(&json).unwrap();
        assert_eq!(back.code(), Some(CountryCode::SE));
    }
}
