//! Typed identifiers, parsed once from strings at the edges.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
    };
}

string_id!(
    /// A boundary layer (an OGC API collection id), e.g. `lep-2017`.
    LayerId
);
string_id!(
    /// An area's code within a layer: a GSS code (`E37000051`) or a NUTS id (`UKD3`).
    AreaCode
);
string_id!(
    /// An innovation indicator, e.g. `gerd_total`.
    IndicatorId
);

impl AreaCode {
    /// Whether the code names a place in England: ONS codes of English areas are `E` and a
    /// digit (`E06000001`, `E37000015`, `E12000002`); NUTS codes of English areas begin `UKC` to
    /// `UKK` (the nine English NUTS 1 regions; Wales is `UKL`, Scotland `UKM`, Northern Ireland
    /// `UKN`).
    pub fn in_england(&self) -> bool {
        let b = self.0.as_bytes();
        match b {
            [b'E', d, ..] => d.is_ascii_digit(),
            [b'U', b'K', r, ..] => (b'C'..=b'K').contains(r),
            _ => false,
        }
    }
}

/// The level of geography a layer or a metrics table describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Geography {
    Lep,
    Region,
    Lad,
    Nuts2,
    Nuts3,
}

impl Geography {
    pub const ALL: [Geography; 5] = [
        Geography::Lep,
        Geography::Region,
        Geography::Lad,
        Geography::Nuts2,
        Geography::Nuts3,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Geography::Lep => "lep",
            Geography::Region => "region",
            Geography::Lad => "lad",
            Geography::Nuts2 => "nuts2",
            Geography::Nuts3 => "nuts3",
        }
    }

    /// Parses the lowercase name used in URLs and data files.
    ///
    /// ```
    /// use smartspec::model::Geography;
    /// assert_eq!(Geography::parse("nuts2"), Some(Geography::Nuts2));
    /// assert_eq!(Geography::parse("county"), None);
    /// ```
    pub fn parse(text: &str) -> Option<Geography> {
        Geography::ALL.into_iter().find(|g| g.as_str() == text)
    }
}

impl fmt::Display for Geography {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::AreaCode;

    #[test]
    fn english_ons_and_nuts_codes_are_in_england_and_no_others() {
        for code in [
            "E06000001",
            "E37000015",
            "E12000002",
            "UKC",
            "UKD33",
            "UKK43",
            "UKJ1",
        ] {
            assert!(AreaCode::new(code).in_england(), "{code}");
        }
        for code in [
            "W06000001",
            "S12000033",
            "N09000001",
            "UKL",
            "UKM50",
            "UKN0",
            "E",
            "EX",
            "UK",
            "",
        ] {
            assert!(!AreaCode::new(code).in_england(), "{code}");
        }
    }
}
