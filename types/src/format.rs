//! Wire format codes.

/// The format of one parameter or result column on the wire: PostgreSQL's
/// format code 0 (text) or 1 (binary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// Format code 0: the type's text output/input function.
    #[default]
    Text,
    /// Format code 1: the type's send/receive function.
    Binary,
}

impl Format {
    /// The format for a wire format code; `None` for anything but 0 and 1.
    pub fn from_code(code: i16) -> Option<Format> {
        match code {
            0 => Some(Format::Text),
            1 => Some(Format::Binary),
            _ => None,
        }
    }

    /// The wire format code.
    pub fn code(self) -> i16 {
        match self {
            Format::Text => 0,
            Format::Binary => 1,
        }
    }
}
