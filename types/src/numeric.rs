//! `numeric`: exact decimal arithmetic in PostgreSQL's own layout.
//!
//! A [`Numeric`] is stored as PostgreSQL stores it: base-10000 digits, the
//! `weight` (power of 10000) of the first digit, a sign that also encodes
//! NaN and ±Infinity, and a display scale `dscale` (digits after the
//! decimal point that the value *prints*, so `1.50` stays `1.50`). With that
//! layout the binary wire form is a straight copy, and text output is a
//! matter of printing digit groups.
//!
//! ```text
//!   123.45  =  digits [123, 4500]  weight 0  dscale 2
//!             (123 × 10000^0 + 4500 × 10000^-1)
//! ```
//!
//! Values are kept normalised (no leading or trailing zero digit groups;
//! zero has no digits, weight 0, positive sign), so comparison and hashing
//! ignore `dscale` (`1.5 = 1.50`, as in SQL) and `Eq`/`Ord`/`Hash` agree.
//!
//! Arithmetic follows PostgreSQL's result-scale rules: `+`/`-` keep the
//! larger scale, `*` adds the scales, `/` picks at least 16 significant
//! digits (`select_div_scale`), `%` keeps the larger scale. It works on
//! plain decimal digit vectors — simple rather than fast.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use crate::error::Reader;
use crate::{SqlState, TypeError};

/// Sign words of the binary form.
const NUMERIC_POS: u16 = 0x0000;
const NUMERIC_NEG: u16 = 0x4000;
const NUMERIC_NAN: u16 = 0xC000;
const NUMERIC_PINF: u16 = 0xD000;
const NUMERIC_NINF: u16 = 0xF000;
/// Largest display scale PostgreSQL stores.
const NUMERIC_DSCALE_MAX: u16 = 0x3FFF;
/// Decimal digits per base-10000 digit.
const DEC_DIGITS: i32 = 4;
/// Significant digits a division result has at least.
const NUMERIC_MIN_SIG_DIGITS: i32 = 16;
/// The largest result scale a division picks.
const NUMERIC_MAX_DISPLAY_SCALE: i32 = 1000;
/// Text-input exponents saturate here; anything this large overflows the
/// format anyway.
const EXPONENT_CAP: i64 = 1_000_000_000;
/// Digits allowed before the decimal point.
const MAX_INT_DIGITS: i64 = 131_072;

/// What kind of number a [`Numeric`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    /// A finite number; `true` when negative.
    Finite(bool),
    NaN,
    PosInf,
    NegInf,
}

/// An arbitrary-precision decimal: PostgreSQL's `numeric`.
#[derive(Clone)]
pub struct Numeric {
    /// Sign, or which special value this is.
    kind: Kind,
    /// Power of 10000 of `digits[0]`.
    weight: i16,
    /// Digits shown after the decimal point.
    dscale: u16,
    /// Base-10000 digits, most significant first, each 0..=9999; no leading
    /// or trailing zeros.
    digits: Vec<i16>,
}

/// A decimal magnitude: `mag × 10^exp`, big-endian base-10 digits.
#[derive(Debug, Clone)]
struct Dec {
    neg: bool,
    mag: Vec<u8>,
    exp: i64,
}

impl Numeric {
    /// Zero with display scale 0.
    pub fn zero() -> Numeric {
        Numeric {
            kind: Kind::Finite(false),
            weight: 0,
            dscale: 0,
            digits: Vec::new(),
        }
    }

    /// `NaN`.
    pub fn nan() -> Numeric {
        Numeric {
            kind: Kind::NaN,
            ..Numeric::zero()
        }
    }

    /// `Infinity`.
    pub fn infinity() -> Numeric {
        Numeric {
            kind: Kind::PosInf,
            ..Numeric::zero()
        }
    }

    /// `-Infinity`.
    pub fn neg_infinity() -> Numeric {
        Numeric {
            kind: Kind::NegInf,
            ..Numeric::zero()
        }
    }

    /// Whether this is `NaN`.
    pub fn is_nan(&self) -> bool {
        self.kind == Kind::NaN
    }

    /// Whether this is `Infinity` or `-Infinity`.
    pub fn is_infinite(&self) -> bool {
        matches!(self.kind, Kind::PosInf | Kind::NegInf)
    }

    /// Whether this is a finite number below zero.
    pub fn is_negative(&self) -> bool {
        matches!(self.kind, Kind::Finite(true) | Kind::NegInf)
    }

    /// Whether this is zero.
    pub fn is_zero(&self) -> bool {
        matches!(self.kind, Kind::Finite(_)) && self.digits.is_empty()
    }

    /// The display scale: digits printed after the decimal point.
    pub fn dscale(&self) -> u16 {
        self.dscale
    }

    /// The power of 10000 of the first digit group.
    pub fn weight(&self) -> i16 {
        self.weight
    }

    /// The base-10000 digit groups, most significant first.
    pub fn digits(&self) -> &[i16] {
        &self.digits
    }

    /// The same value with another display scale, rounded (half away from
    /// zero) when the scale shrinks — SQL's `round(x, scale)` for scale ≥ 0.
    pub fn round(&self, scale: u16) -> Numeric {
        match self.to_dec() {
            None => self.clone(),
            Some(d) => from_dec(round_dec(d, -(scale as i64)), scale),
        }
    }

    /// The same value with another display scale, truncated toward zero.
    pub fn trunc(&self, scale: u16) -> Numeric {
        match self.to_dec() {
            None => self.clone(),
            Some(d) => from_dec(trunc_dec(d, -(scale as i64)), scale),
        }
    }

    /// The negation (`-x`); zero stays positive.
    pub fn neg(&self) -> Numeric {
        let kind = match self.kind {
            Kind::Finite(n) => Kind::Finite(!n && !self.digits.is_empty()),
            Kind::NaN => Kind::NaN,
            Kind::PosInf => Kind::NegInf,
            Kind::NegInf => Kind::PosInf,
        };
        Numeric {
            kind,
            ..self.clone()
        }
    }

    /// The absolute value.
    pub fn abs(&self) -> Numeric {
        if self.is_negative() {
            self.neg()
        } else {
            self.clone()
        }
    }

    /// `self + other`, scale `max(s1, s2)`; 22003 when the result does not
    /// fit the format.
    pub fn add(&self, other: &Numeric) -> Result<Numeric, TypeError> {
        Ok(match (self.kind, other.kind) {
            (Kind::NaN, _) | (_, Kind::NaN) => Numeric::nan(),
            (Kind::PosInf, Kind::NegInf) | (Kind::NegInf, Kind::PosInf) => Numeric::nan(),
            (Kind::PosInf | Kind::NegInf, _) => self.clone(),
            (_, Kind::PosInf | Kind::NegInf) => other.clone(),
            _ => {
                let (a, b) = (self.dec(), other.dec());
                pack(add_dec(a, b), self.dscale.max(other.dscale))?
            }
        })
    }

    /// `self - other`, scale `max(s1, s2)`; 22003 on overflow.
    pub fn sub(&self, other: &Numeric) -> Result<Numeric, TypeError> {
        self.add(&other.neg())
    }

    /// `self * other`, scale `s1 + s2`; 22003 on overflow.
    pub fn mul(&self, other: &Numeric) -> Result<Numeric, TypeError> {
        Ok(match (self.kind, other.kind) {
            (Kind::NaN, _) | (_, Kind::NaN) => Numeric::nan(),
            (Kind::Finite(_), Kind::Finite(_)) => {
                let (a, b) = (self.dec(), other.dec());
                let d = Dec {
                    neg: a.neg != b.neg,
                    mag: mul_mag(&a.mag, &b.mag),
                    exp: a.exp + b.exp,
                };
                let scale =
                    (self.dscale as u32 + other.dscale as u32).min(NUMERIC_DSCALE_MAX as u32);
                pack(round_dec(d, -(scale as i64)), scale as u16)?
            }
            _ if self.is_zero() || other.is_zero() => Numeric::nan(),
            _ if self.is_negative() != other.is_negative() => Numeric::neg_infinity(),
            _ => Numeric::infinity(),
        })
    }

    /// `self / other`, with PostgreSQL's division scale (at least 16
    /// significant digits, at least either input's scale), rounded half away
    /// from zero. 22012 when `other` is zero.
    pub fn div(&self, other: &Numeric) -> Result<Numeric, TypeError> {
        match (self.kind, other.kind) {
            (Kind::NaN, _) | (_, Kind::NaN) => return Ok(Numeric::nan()),
            _ if other.is_zero() => return Err(division_by_zero()),
            (Kind::PosInf | Kind::NegInf, Kind::PosInf | Kind::NegInf) => {
                return Ok(Numeric::nan());
            }
            (Kind::PosInf | Kind::NegInf, _) => {
                return Ok(if self.is_negative() != other.is_negative() {
                    Numeric::neg_infinity()
                } else {
                    Numeric::infinity()
                });
            }
            (_, Kind::PosInf | Kind::NegInf) => return Ok(Numeric::zero()),
            _ => {}
        }
        let rscale = select_div_scale(self, other);
        let (a, b) = (self.dec(), other.dec());
        // a/b × 10^rscale = A/B × 10^k
        let k = a.exp - b.exp + rscale as i64;
        let (n, d) = if k >= 0 {
            (shift(&a.mag, k as usize), b.mag.clone())
        } else {
            (a.mag.clone(), shift(&b.mag, (-k) as usize))
        };
        let (mut q, r) = divmod_mag(&n, &d);
        // Round half away from zero: 2r >= d.
        let twice = add_mag(&r, &r);
        if cmp_mag(&twice, &d) != Ordering::Less {
            q = add_mag(&q, &[1]);
        }
        pack(
            Dec {
                neg: a.neg != b.neg,
                mag: q,
                exp: -(rscale as i64),
            },
            rscale as u16,
        )
    }

    /// `self % other` (sign of `self`, scale `max(s1, s2)`). 22012 when
    /// `other` is zero.
    pub fn rem(&self, other: &Numeric) -> Result<Numeric, TypeError> {
        match (self.kind, other.kind) {
            (Kind::NaN, _) | (_, Kind::NaN) => return Ok(Numeric::nan()),
            _ if other.is_zero() => return Err(division_by_zero()),
            (Kind::PosInf | Kind::NegInf, _) => return Ok(Numeric::nan()),
            (_, Kind::PosInf | Kind::NegInf) => return Ok(self.clone()),
            _ => {}
        }
        let (a, b) = (self.dec(), other.dec());
        let m = a.exp.min(b.exp);
        let n = shift(&a.mag, (a.exp - m) as usize);
        let d = shift(&b.mag, (b.exp - m) as usize);
        let (_, r) = divmod_mag(&n, &d);
        pack(
            Dec {
                neg: a.neg,
                mag: r,
                exp: m,
            },
            self.dscale.max(other.dscale),
        )
    }

    /// The nearest `f64` (`NaN` and infinities map to theirs).
    pub fn to_f64(&self) -> f64 {
        match self.kind {
            Kind::NaN => f64::NAN,
            Kind::PosInf => f64::INFINITY,
            Kind::NegInf => f64::NEG_INFINITY,
            // Our own output is always a valid float literal.
            Kind::Finite(_) => self.to_string().parse().unwrap_or(f64::NAN),
        }
    }

    /// PostgreSQL's `float8::numeric`: the value printed with 15
    /// significant digits; non-finite floats map to NaN/±Infinity.
    pub fn from_f64(v: f64) -> Numeric {
        Numeric::from_float(v, 15)
    }

    /// PostgreSQL's `float4::numeric`: the value printed with 6 significant
    /// digits.
    pub fn from_f32(v: f32) -> Numeric {
        Numeric::from_float(v as f64, 6)
    }

    /// `%.{digits}g`, read back as a numeric.
    fn from_float(v: f64, digits: usize) -> Numeric {
        if v.is_nan() {
            return Numeric::nan();
        }
        if v.is_infinite() {
            return if v > 0.0 {
                Numeric::infinity()
            } else {
                Numeric::neg_infinity()
            };
        }
        let s = format!("{:.*e}", digits - 1, v);
        let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let exp: i64 = exp.parse().unwrap_or(0);
        let mant = if mant.contains('.') {
            mant.trim_end_matches('0').trim_end_matches('.')
        } else {
            mant
        };
        let frac_len = mant.split_once('.').map_or(0, |(_, f)| f.len()) as i64;
        // Our own formatting of a finite float: always parses.
        let mut n: Numeric = mant.parse().unwrap_or_else(|_| Numeric::zero());
        let scale = (frac_len - exp).max(0);
        if let Some(d) = n.to_dec() {
            n = from_dec(
                Dec {
                    exp: d.exp + exp,
                    ..d
                },
                scale as u16,
            );
        }
        n
    }

    /// Rounds to an integer (half away from zero), if it fits an `i64`.
    pub fn to_i64(&self) -> Option<i64> {
        let d = round_dec(self.to_dec()?, 0);
        let mut v: i64 = 0;
        for &digit in &d.mag {
            v = v.checked_mul(10)?.checked_add(digit as i64)?;
        }
        for _ in 0..d.exp {
            v = v.checked_mul(10)?;
        }
        Some(if d.neg { -v } else { v })
    }

    /// Builds a value from the fields of the binary form, validating and
    /// normalising them as PostgreSQL's `numeric_recv` does.
    pub fn from_parts(
        sign: u16,
        weight: i16,
        dscale: u16,
        digits: &[i16],
    ) -> Result<Numeric, TypeError> {
        let kind = match sign {
            NUMERIC_POS => Kind::Finite(false),
            NUMERIC_NEG => Kind::Finite(true),
            NUMERIC_NAN => return Ok(Numeric::nan()),
            NUMERIC_PINF => return Ok(Numeric::infinity()),
            NUMERIC_NINF => return Ok(Numeric::neg_infinity()),
            _ => return Err(binary_error("invalid sign in external \"numeric\" value")),
        };
        if dscale & NUMERIC_DSCALE_MAX != dscale {
            return Err(binary_error("invalid scale in external \"numeric\" value"));
        }
        if digits.iter().any(|d| !(0..10000).contains(d)) {
            return Err(binary_error("invalid digit in external \"numeric\" value"));
        }
        let raw = Numeric {
            kind,
            weight,
            dscale,
            digits: digits.to_vec(),
        };
        // Truncate digits the scale hides, then normalise.
        let dec = raw.dec();
        Ok(from_dec(trunc_dec(dec, -(dscale as i64)), dscale))
    }

    /// The binary (send) form.
    pub(crate) fn encode_binary(&self, out: &mut Vec<u8>) {
        let sign = match self.kind {
            Kind::Finite(false) => NUMERIC_POS,
            Kind::Finite(true) => NUMERIC_NEG,
            Kind::NaN => NUMERIC_NAN,
            Kind::PosInf => NUMERIC_PINF,
            Kind::NegInf => NUMERIC_NINF,
        };
        let finite = matches!(self.kind, Kind::Finite(_));
        let ndigits = if finite { self.digits.len() as i16 } else { 0 };
        out.extend_from_slice(&ndigits.to_be_bytes());
        out.extend_from_slice(&(if finite { self.weight } else { 0 }).to_be_bytes());
        out.extend_from_slice(&sign.to_be_bytes());
        // PostgreSQL leaks header bits into the dscale word of infinities.
        let dscale = match self.kind {
            Kind::Finite(_) => self.dscale,
            Kind::NaN => 0,
            Kind::PosInf | Kind::NegInf => 0x20,
        };
        out.extend_from_slice(&dscale.to_be_bytes());
        if finite {
            for d in &self.digits {
                out.extend_from_slice(&d.to_be_bytes());
            }
        }
    }

    /// Parses the binary (receive) form.
    pub(crate) fn decode_binary(bytes: &[u8]) -> Result<Numeric, TypeError> {
        let mut r = Reader::new(bytes);
        let ndigits = r.u16()?;
        if ndigits > 2000 + 1000 {
            return Err(binary_error("invalid length in external \"numeric\" value"));
        }
        let weight = r.i16()?;
        let sign = r.u16()?;
        let dscale = r.u16()?;
        let mut digits = Vec::with_capacity(ndigits as usize);
        for _ in 0..ndigits {
            digits.push(r.i16()?);
        }
        r.finish()?;
        Numeric::from_parts(sign, weight, dscale, &digits)
    }

    /// The value as decimal digits; `None` for NaN and infinities.
    fn to_dec(&self) -> Option<Dec> {
        let Kind::Finite(neg) = self.kind else {
            return None;
        };
        let mut mag = Vec::with_capacity(self.digits.len() * 4);
        for &d in &self.digits {
            let d = d as u16;
            mag.extend_from_slice(&[
                (d / 1000) as u8,
                (d / 100 % 10) as u8,
                (d / 10 % 10) as u8,
                (d % 10) as u8,
            ]);
        }
        if self.digits.is_empty() {
            return Some(Dec {
                neg: false,
                mag,
                exp: 0,
            });
        }
        let exp = DEC_DIGITS as i64 * (self.weight as i64 - (self.digits.len() as i64 - 1));
        Some(Dec {
            neg,
            mag: strip_leading(mag),
            exp,
        })
    }

    /// [`Numeric::to_dec`] for a value known to be finite.
    fn dec(&self) -> Dec {
        self.to_dec().unwrap_or(Dec {
            neg: false,
            mag: Vec::new(),
            exp: 0,
        })
    }

    fn magnitude_cmp(&self, other: &Numeric) -> Ordering {
        match (self.digits.is_empty(), other.digits.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            _ => {}
        }
        self.weight
            .cmp(&other.weight)
            .then_with(|| self.digits.cmp(&other.digits))
    }
}

fn division_by_zero() -> TypeError {
    TypeError::new(SqlState::DIVISION_BY_ZERO, "division by zero")
}

fn binary_error(msg: &str) -> TypeError {
    TypeError::new(SqlState::INVALID_BINARY_REPRESENTATION, msg)
}

/// PostgreSQL's `select_div_scale`.
fn select_div_scale(a: &Numeric, b: &Numeric) -> i32 {
    let first = |n: &Numeric| match n.digits.first() {
        Some(&d) => (n.weight as i32, d as i32),
        None => (0, 0),
    };
    let (w1, f1) = first(a);
    let (w2, f2) = first(b);
    let mut qweight = w1 - w2;
    if f1 <= f2 {
        qweight -= 1;
    }
    let rscale = NUMERIC_MIN_SIG_DIGITS - qweight * DEC_DIGITS;
    rscale
        .max(a.dscale as i32)
        .max(b.dscale as i32)
        .clamp(0, NUMERIC_MAX_DISPLAY_SCALE)
}

fn strip_leading(mut mag: Vec<u8>) -> Vec<u8> {
    let nz = mag.iter().position(|&d| d != 0).unwrap_or(mag.len());
    mag.drain(..nz);
    mag
}

/// Appends `n` zeros: `mag × 10^n`.
fn shift(mag: &[u8], n: usize) -> Vec<u8> {
    let mut v = mag.to_vec();
    v.resize(mag.len() + n, 0);
    v
}

fn cmp_mag(a: &[u8], b: &[u8]) -> Ordering {
    let a = &a[a.iter().position(|&d| d != 0).unwrap_or(a.len())..];
    let b = &b[b.iter().position(|&d| d != 0).unwrap_or(b.len())..];
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn add_mag(a: &[u8], b: &[u8]) -> Vec<u8> {
    let n = a.len().max(b.len()) + 1;
    let mut out = vec![0u8; n];
    let mut carry = 0u8;
    for i in 0..n {
        let x = if i < a.len() { a[a.len() - 1 - i] } else { 0 };
        let y = if i < b.len() { b[b.len() - 1 - i] } else { 0 };
        let s = x + y + carry;
        out[n - 1 - i] = s % 10;
        carry = s / 10;
    }
    strip_leading(out)
}

/// `a - b` for `a >= b`.
fn sub_mag(a: &[u8], b: &[u8]) -> Vec<u8> {
    let n = a.len();
    let mut out = vec![0u8; n];
    let mut borrow = 0i8;
    for i in 0..n {
        let x = a[n - 1 - i] as i8;
        let y = if i < b.len() {
            b[b.len() - 1 - i] as i8
        } else {
            0
        };
        let mut s = x - y - borrow;
        borrow = 0;
        if s < 0 {
            s += 10;
            borrow = 1;
        }
        out[n - 1 - i] = s as u8;
    }
    strip_leading(out)
}

fn mul_mag(a: &[u8], b: &[u8]) -> Vec<u8> {
    if a.is_empty() || b.is_empty() {
        return Vec::new();
    }
    let mut acc = vec![0u64; a.len() + b.len()];
    for (i, &x) in a.iter().enumerate() {
        for (j, &y) in b.iter().enumerate() {
            acc[i + j + 1] += x as u64 * y as u64;
        }
    }
    let mut carry = 0u64;
    for slot in acc.iter_mut().rev() {
        let v = *slot + carry;
        *slot = v % 10;
        carry = v / 10;
    }
    strip_leading(acc.into_iter().map(|d| d as u8).collect())
}

/// Long division of magnitudes; `d` must be nonzero.
fn divmod_mag(n: &[u8], d: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let d = strip_leading(d.to_vec());
    let mut q = Vec::with_capacity(n.len());
    let mut r: Vec<u8> = Vec::new();
    for &digit in n {
        r.push(digit);
        r = strip_leading(r);
        let mut count = 0u8;
        while cmp_mag(&r, &d) != Ordering::Less {
            r = sub_mag(&r, &d);
            count += 1;
        }
        q.push(count);
    }
    (strip_leading(q), r)
}

fn add_dec(a: Dec, b: Dec) -> Dec {
    let e = a.exp.min(b.exp);
    let am = shift(&a.mag, (a.exp - e) as usize);
    let bm = shift(&b.mag, (b.exp - e) as usize);
    if a.neg == b.neg {
        return Dec {
            neg: a.neg,
            mag: add_mag(&am, &bm),
            exp: e,
        };
    }
    match cmp_mag(&am, &bm) {
        Ordering::Less => Dec {
            neg: b.neg,
            mag: sub_mag(&bm, &am),
            exp: e,
        },
        _ => Dec {
            neg: a.neg,
            mag: sub_mag(&am, &bm),
            exp: e,
        },
    }
}

/// Rounds half away from zero so that `exp >= min_exp`.
fn round_dec(d: Dec, min_exp: i64) -> Dec {
    if d.exp >= min_exp {
        return d;
    }
    let drop = (min_exp - d.exp) as usize;
    if drop > d.mag.len() {
        return Dec {
            neg: d.neg,
            mag: Vec::new(),
            exp: min_exp,
        };
    }
    let keep = d.mag.len() - drop;
    let round_up = d.mag[keep] >= 5;
    let mut mag = d.mag[..keep].to_vec();
    if round_up {
        mag = add_mag(&mag, &[1]);
    }
    Dec {
        neg: d.neg,
        mag,
        exp: min_exp,
    }
}

/// Truncates toward zero so that `exp >= min_exp`.
fn trunc_dec(d: Dec, min_exp: i64) -> Dec {
    if d.exp >= min_exp {
        return d;
    }
    let drop = (min_exp - d.exp) as usize;
    let keep = d.mag.len().saturating_sub(drop);
    Dec {
        neg: d.neg,
        mag: d.mag[..keep].to_vec(),
        exp: min_exp,
    }
}

/// [`pack`] for results known to fit (NaN if one does not).
fn from_dec(d: Dec, dscale: u16) -> Numeric {
    pack(d, dscale).unwrap_or_else(|_| Numeric::nan())
}

/// Packs decimal digits into normalised base-10000 groups; 22003 when the
/// weight does not fit PostgreSQL's 16 bits.
fn pack(d: Dec, dscale: u16) -> Result<Numeric, TypeError> {
    let mag = strip_leading(d.mag);
    if mag.is_empty() {
        return Ok(Numeric {
            dscale,
            ..Numeric::zero()
        });
    }
    // Pad on the right until the exponent is a multiple of 4.
    let e4 = d.exp.div_euclid(DEC_DIGITS as i64);
    let pad_right = (d.exp - e4 * DEC_DIGITS as i64) as usize;
    let mut m = mag;
    m.resize(m.len() + pad_right, 0);
    let pad_left = (4 - m.len() % 4) % 4;
    let mut padded = vec![0u8; pad_left];
    padded.extend_from_slice(&m);
    let mut digits: Vec<i16> = padded
        .chunks(4)
        .map(|c| c.iter().fold(0i16, |acc, &x| acc * 10 + x as i16))
        .collect();
    let mut weight = digits.len() as i64 - 1 + e4;
    while digits.first() == Some(&0) {
        digits.remove(0);
        weight -= 1;
    }
    while digits.last() == Some(&0) {
        digits.pop();
    }
    let weight = i16::try_from(weight).map_err(|_| {
        TypeError::new(
            SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
            "value overflows numeric format",
        )
    })?;
    Ok(Numeric {
        kind: Kind::Finite(d.neg),
        weight,
        dscale,
        digits,
    })
}

impl PartialEq for Numeric {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Numeric {}

impl PartialOrd for Numeric {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Numeric {
    /// PostgreSQL's order: `-Infinity` < finite values < `Infinity` < `NaN`
    /// (NaN equals NaN, so numerics can be sorted and indexed).
    fn cmp(&self, other: &Self) -> Ordering {
        let rank = |n: &Numeric| match n.kind {
            Kind::NegInf => 0,
            Kind::Finite(true) if !n.digits.is_empty() => 1,
            Kind::Finite(_) if n.digits.is_empty() => 2,
            Kind::Finite(_) => 3,
            Kind::PosInf => 4,
            Kind::NaN => 5,
        };
        let (ra, rb) = (rank(self), rank(other));
        if ra != rb {
            return ra.cmp(&rb);
        }
        match ra {
            1 => other.magnitude_cmp(self),
            3 => self.magnitude_cmp(other),
            _ => Ordering::Equal,
        }
    }
}

impl Hash for Numeric {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self.kind {
            Kind::Finite(_) if self.digits.is_empty() => 0u8.hash(state),
            kind => {
                kind.hash(state);
                self.weight.hash(state);
                self.digits.hash(state);
            }
        }
    }
}

impl fmt::Debug for Numeric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Numeric({self})")
    }
}

impl fmt::Display for Numeric {
    /// PostgreSQL's `numeric_out`: all `dscale` fraction digits, no exponent.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let neg = match self.kind {
            Kind::NaN => return f.write_str("NaN"),
            Kind::PosInf => return f.write_str("Infinity"),
            Kind::NegInf => return f.write_str("-Infinity"),
            Kind::Finite(neg) => neg,
        };
        let d = self.dec();
        let mut s = String::with_capacity(d.mag.len() + 4);
        if neg && !d.mag.is_empty() {
            s.push('-');
        }
        // Integer part: digits at exponents >= 0.
        let len = d.mag.len() as i64;
        let int_digits = len + d.exp; // number of digits left of the point
        if int_digits <= 0 {
            s.push('0');
        } else {
            for i in 0..int_digits {
                s.push(if i < len {
                    (b'0' + d.mag[i as usize]) as char
                } else {
                    '0'
                });
            }
        }
        if self.dscale > 0 {
            s.push('.');
            for k in 0..self.dscale as i64 {
                // Digit at exponent -(k+1) sits at index int_digits + k.
                let idx = int_digits + k;
                s.push(if idx >= 0 && idx < len {
                    (b'0' + d.mag[idx as usize]) as char
                } else {
                    '0'
                });
            }
        }
        f.write_str(&s)
    }
}

impl FromStr for Numeric {
    type Err = TypeError;

    /// PostgreSQL's `numeric_in`: surrounding spaces, a sign, digits with an
    /// optional point and exponent, or `NaN` / `Infinity` / `inf`.
    fn from_str(input: &str) -> Result<Numeric, TypeError> {
        let bad = || TypeError::invalid_syntax("numeric", input);
        let s = input.trim_matches(|c: char| c.is_ascii_whitespace());
        let lower = s.to_ascii_lowercase();
        match lower.as_str() {
            "nan" => return Ok(Numeric::nan()),
            "infinity" | "+infinity" | "inf" | "+inf" => return Ok(Numeric::infinity()),
            "-infinity" | "-inf" => return Ok(Numeric::neg_infinity()),
            _ => {}
        }
        let b = s.as_bytes();
        let mut i = 0;
        let mut neg = false;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            neg = b[i] == b'-';
            i += 1;
        }
        let mut mag = Vec::new();
        let mut frac = 0i64;
        let mut seen_point = false;
        let mut any = false;
        while i < b.len() {
            match b[i] {
                c @ b'0'..=b'9' => {
                    mag.push(c - b'0');
                    any = true;
                    if seen_point {
                        frac += 1;
                    }
                }
                b'.' if !seen_point => seen_point = true,
                _ => break,
            }
            i += 1;
        }
        if !any {
            return Err(bad());
        }
        let mut exp = 0i64;
        if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
            i += 1;
            let mut eneg = false;
            if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
                eneg = b[i] == b'-';
                i += 1;
            }
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                exp = (exp * 10 + (b[i] - b'0') as i64).min(EXPONENT_CAP);
                i += 1;
            }
            if i == start {
                return Err(bad());
            }
            if eneg {
                exp = -exp;
            }
        }
        if i != b.len() {
            return Err(bad());
        }
        let dscale = (frac - exp).max(0);
        let mag = strip_leading(mag);
        let int_digits = mag.len() as i64 - frac + exp;
        if dscale > NUMERIC_DSCALE_MAX as i64 || int_digits > MAX_INT_DIGITS {
            return Err(TypeError::new(
                SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
                "value overflows numeric format",
            ));
        }
        Ok(from_dec(
            Dec {
                neg,
                mag,
                exp: exp - frac,
            },
            dscale as u16,
        ))
    }
}

impl From<i64> for Numeric {
    fn from(v: i64) -> Numeric {
        let mag = v
            .unsigned_abs()
            .to_string()
            .bytes()
            .map(|b| b - b'0')
            .collect();
        from_dec(
            Dec {
                neg: v < 0,
                mag,
                exp: 0,
            },
            0,
        )
    }
}

impl From<i32> for Numeric {
    fn from(v: i32) -> Numeric {
        Numeric::from(v as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Numeric {
        s.parse().unwrap()
    }

    #[test]
    fn text_round_trip() {
        for (input, out) in [
            ("1.50", "1.50"),
            ("0", "0"),
            ("-0", "0"),
            ("0.000", "0.000"),
            ("  12345678.9  ", "12345678.9"),
            ("-0.0001", "-0.0001"),
            ("1e3", "1000"),
            ("1.5e-3", "0.0015"),
            ("1.23E+1", "12.3"),
            (".5", "0.5"),
            ("5.", "5"),
            ("nan", "NaN"),
            ("-inf", "-Infinity"),
            ("Infinity", "Infinity"),
            ("100000000", "100000000"),
            (
                "123456789012345678901234567890.123456789",
                "123456789012345678901234567890.123456789",
            ),
        ] {
            assert_eq!(n(input).to_string(), out, "{input}");
        }
        assert!("abc".parse::<Numeric>().is_err());
        assert!("1e".parse::<Numeric>().is_err());
        assert!("1.2.3".parse::<Numeric>().is_err());
        assert!("".parse::<Numeric>().is_err());
        assert_eq!(
            "x".parse::<Numeric>().unwrap_err().message,
            "invalid input syntax for type numeric: \"x\""
        );
    }

    #[test]
    fn layout() {
        let v = n("123.45");
        assert_eq!(
            (v.weight(), v.digits(), v.dscale()),
            (0, &[123, 4500][..], 2)
        );
        let v = n("10000");
        assert_eq!((v.weight(), v.digits()), (1, &[1][..]));
        let v = n("0.0001");
        assert_eq!((v.weight(), v.digits()), (-1, &[1][..]));
    }

    #[test]
    fn order() {
        assert_eq!(n("1.5"), n("1.50"));
        assert!(n("-2") < n("-1"));
        assert!(n("-1") < n("0"));
        assert!(n("0") < n("0.0001"));
        assert!(n("9999") < n("10000"));
        assert!(n("Infinity") < n("NaN"));
        assert!(n("-Infinity") < n("-99999999"));
        assert_eq!(n("NaN"), n("NaN"));
    }

    #[test]
    fn arithmetic() {
        assert_eq!(n("1.5").add(&n("2.25")).unwrap().to_string(), "3.75");
        assert_eq!(n("1.50").sub(&n("2")).unwrap().to_string(), "-0.50");
        assert_eq!(n("1.5").mul(&n("-2.25")).unwrap().to_string(), "-3.375");
        assert_eq!(
            n("1").div(&n("3")).unwrap().to_string(),
            "0.33333333333333333333"
        );
        assert_eq!(
            n("10").div(&n("4")).unwrap().to_string(),
            "2.5000000000000000"
        );
        assert_eq!(
            n("2").div(&n("3")).unwrap().to_string(),
            "0.66666666666666666667"
        );
        assert_eq!(n("7.5").rem(&n("2")).unwrap().to_string(), "1.5");
        assert_eq!(n("-7").rem(&n("2")).unwrap().to_string(), "-1");
        assert_eq!(
            n("1").div(&n("0")).unwrap_err().code,
            SqlState::DIVISION_BY_ZERO
        );
        assert_eq!(
            n("1e131071").mul(&n("1e131071")).unwrap_err().code,
            SqlState::NUMERIC_VALUE_OUT_OF_RANGE
        );
        assert_eq!(n("2.5").round(0).to_string(), "3");
        assert_eq!(n("-2.5").round(0).to_string(), "-3");
        assert_eq!(n("2.567").trunc(1).to_string(), "2.5");
        assert_eq!(n("123.6").to_i64(), Some(124));
        assert_eq!(Numeric::from(-1234567i64).to_string(), "-1234567");
        assert_eq!(Numeric::from_f64(0.1).to_string(), "0.1");
        assert_eq!(Numeric::from_f64(1e20).to_string(), "100000000000000000000");
        assert_eq!(Numeric::from_f64(1.5e-7).to_string(), "0.00000015");
    }
}
