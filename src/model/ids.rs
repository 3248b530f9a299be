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
