//! The compact binary serde format of snapshots.
//!
//! Self-describing, so that serde's attributes (`skip_serializing_if`, `try_from`, fields a
//! type reads but does not write, untagged enums, `serde_json::Value`) work as they do with
//! JSON, yet far smaller and faster than MessagePack with field names: every value starts with
//! a one-byte tag, small integers and short strings fit in the tag, lengths and integers are
//! LEB128 varints, and struct field and enum variant names are written once, in a table at the
//! end of the section, and referred to by number.
//!
//! A *section* is one encoded value: the data's length (8 bytes, little-endian), the data,
//! then the name table (a varint count, then each name as a varint length and UTF-8 bytes).
//!
//! The format is not human-readable ([`serde::Serializer::is_human_readable`] is false), so
//! types may pick a binary form (timestamps are seconds and nanoseconds, not RFC 3339 text).
//!
//! Decoding never panics and never allocates more than the input justifies: every length is
//! checked against the bytes left, names against the table, nesting is limited, and anything
//! else is an error. Integrity (bit flips) is the job of the checksum around a snapshot.

use rustc_hash::FxHashMap;
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use serde::ser::{self, Serialize};
use std::fmt;

// ----- tags -----

/// `None`, `()` and unit structs.
const NONE: u8 = 0x00;
/// `Some`: the value follows.
const SOME: u8 = 0x01;
const FALSE: u8 = 0x02;
const TRUE: u8 = 0x03;
/// An unsigned integer: a varint follows.
const UINT: u8 = 0x04;
/// A negative integer `n`: the varint of `!n` (that is `-1 - n`) follows.
const NINT: u8 = 0x05;
const F32: u8 = 0x06;
const F64: u8 = 0x07;
/// A string: varint length, UTF-8.
const STR: u8 = 0x08;
/// Bytes: varint length, bytes.
const BYTES: u8 = 0x09;
/// A sequence (also tuples): varint count, the items.
const SEQ: u8 = 0x0A;
/// A sequence of unknown length: the items, then [`END`].
const SEQ_OPEN: u8 = 0x0B;
/// A map: varint count, keys and values alternating.
const MAP: u8 = 0x0C;
/// A map of unknown length: keys and values, then [`END`].
const MAP_OPEN: u8 = 0x0D;
/// A struct: per field written, the varint of its name's number plus one and the value; then
/// a zero byte.
const STRUCT: u8 = 0x0E;
/// Ends an open sequence or map.
const END: u8 = 0x0F;
/// A unit enum variant: the varint of its name's number.
const UNIT_VARIANT: u8 = 0x10;
/// Any other enum variant: the varint of its name's number, then its content as one value
/// (the value of a newtype variant, a sequence for a tuple variant, a struct for a struct
/// variant).
const VARIANT: u8 = 0x11;
/// `0x40 + n` for a string of `n < 64` bytes; the bytes follow.
const SHORT_STR: u8 = 0x40;
/// `0x80 + n` for an unsigned integer `n < 128`.
const SMALL_UINT: u8 = 0x80;

/// How deeply values may nest when read (no type of omni's comes near).
const MAX_DEPTH: u32 = 128;

// ----- errors -----

/// Why a value did not encode or decode.
#[derive(Debug)]
pub(crate) struct CodecError(String);

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CodecError {}

impl ser::Error for CodecError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        CodecError(msg.to_string())
    }
}

impl de::Error for CodecError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        CodecError(msg.to_string())
    }
}

type Result<T> = std::result::Result<T, CodecError>;

fn err<T>(why: impl Into<String>) -> Result<T> {
    Err(CodecError(why.into()))
}

// ----- low-level writing and reading -----

/// Appends `v` as an LEB128 varint.
#[inline]
pub(crate) fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Reads bytes front to back; every read is checked.
#[derive(Clone, Copy)]
pub(crate) struct Input<'de> {
    bytes: &'de [u8],
    pos: usize,
}

impl<'de> Input<'de> {
    pub(crate) fn new(bytes: &'de [u8]) -> Input<'de> {
        Input { bytes, pos: 0 }
    }

    /// Bytes not read yet.
    pub(crate) fn left(&self) -> usize {
        self.bytes.len() - self.pos
    }

    #[inline]
    pub(crate) fn byte(&mut self) -> Result<u8> {
        match self.bytes.get(self.pos) {
            Some(&b) => {
                self.pos += 1;
                Ok(b)
            }
            None => err("the data ends too early"),
        }
    }

    #[inline]
    fn peek(&self) -> Result<u8> {
        match self.bytes.get(self.pos) {
            Some(&b) => Ok(b),
            None => err("the data ends too early"),
        }
    }

    #[inline]
    pub(crate) fn take(&mut self, n: usize) -> Result<&'de [u8]> {
        if n > self.left() {
            return err("the data ends too early");
        }
        let s = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    pub(crate) fn u64_le(&mut self) -> Result<u64> {
        let b = self.take(8)?;
        Ok(u64::from_le_bytes(b.try_into().expect("eight bytes")))
    }

    #[inline]
    pub(crate) fn varint(&mut self) -> Result<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            if shift == 63 && b > 1 {
                return err("a number is too large");
            }
            v |= u64::from(b & 0x7F) << shift;
            if b < 0x80 {
                return Ok(v);
            }
        }
        err("a number is too large")
    }

    /// A varint that counts items each of which takes at least one byte.
    #[inline]
    fn count(&mut self) -> Result<usize> {
        let n = self.varint()?;
        if n > self.left() as u64 {
            return err("a length runs past the end of the data");
        }
        Ok(n as usize)
    }

    #[inline]
    fn str_of_len(&mut self, n: usize) -> Result<&'de str> {
        std::str::from_utf8(self.take(n)?).map_err(|_| CodecError("a string is not UTF-8".into()))
    }
}

// ----- sections -----

/// Appends `value` to `out` as a section (see the module documentation).
pub(crate) fn encode_into<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> Result<()> {
    let start = out.len();
    out.extend_from_slice(&[0; 8]);
    let mut names = Names::default();
    value.serialize(&mut Encoder {
        out: &mut *out,
        names: NameSource::Growing(&mut names),
    })?;
    let data_len = (out.len() - start - 8) as u64;
    out[start..start + 8].copy_from_slice(&data_len.to_le_bytes());
    put_varint(out, names.list.len() as u64);
    for name in &names.list {
        put_varint(out, name.len() as u64);
        out.extend_from_slice(name.as_bytes());
    }
    Ok(())
}

/// Reads a value from a whole section written by [`encode_into`].
pub(crate) fn decode<'de, T: de::Deserialize<'de>>(section: &'de [u8]) -> Result<T> {
    decode_seed(section, std::marker::PhantomData::<T>)
}

/// Reads a value from a whole section written by [`encode_into`], through a seed.
pub(crate) fn decode_seed<'de, S: DeserializeSeed<'de>>(
    section: &'de [u8],
    seed: S,
) -> Result<S::Value> {
    let mut head = Input::new(section);
    let data_len = head.u64_le()?;
    if data_len > head.left() as u64 {
        return err("the data length runs past the end of the section");
    }
    let data = head.take(data_len as usize)?;
    let count = head.count()?;
    let mut names = Vec::with_capacity(count);
    for _ in 0..count {
        let n = head.count()?;
        names.push(head.str_of_len(n)?);
    }
    if head.left() != 0 {
        return err("bytes after the name table");
    }
    let mut de = Decoder {
        input: Input::new(data),
        names,
        depth: 0,
    };
    let value = seed.deserialize(&mut de)?;
    if de.input.left() != 0 {
        return err("bytes after the value");
    }
    Ok(value)
}

// ----- framing -----

/// A snapshot: the 8-byte `magic`, a little-endian CRC-32 of the payload, then the payload
/// that `write` appends.
pub(crate) fn framed(magic: &[u8; 8], write: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(magic);
    out.extend_from_slice(&[0; 4]);
    write(&mut out);
    let crc = crc32fast::hash(&out[12..]);
    out[8..12].copy_from_slice(&crc.to_le_bytes());
    out
}

/// The payload of a snapshot written by [`framed`] with `magic`, after checking the magic and
/// the checksum. `old` are the magics of earlier formats of the same kind of snapshot,
/// refused as unsupported; anything else is not a `what` snapshot.
pub(crate) fn unframe<'a>(
    bytes: &'a [u8],
    magic: &[u8; 8],
    old: &[&[u8; 8]],
    what: &str,
) -> crate::Result<&'a [u8]> {
    use crate::error::{Error, ErrorKind};
    if bytes.len() >= 8 && old.iter().any(|m| &bytes[..8] == *m) {
        return Err(Error::new(
            ErrorKind::UnsupportedVersion,
            format!(
                "an omni {what} snapshot of an earlier format ({}); this build reads only {} \
                 snapshots: restore it with the omni that wrote it, or rebuild from the source \
                 data",
                String::from_utf8_lossy(&bytes[..8]),
                String::from_utf8_lossy(magic),
            ),
        ));
    }
    if bytes.len() < 12 || &bytes[..8] != magic {
        return Err(Error::new(
            ErrorKind::InvalidSnapshot,
            format!("not an omni {what} snapshot (bad magic)"),
        ));
    }
    let crc = u32::from_le_bytes(bytes[8..12].try_into().expect("four bytes"));
    let payload = &bytes[12..];
    if crc32fast::hash(payload) != crc {
        return Err(Error::new(
            ErrorKind::InvalidSnapshot,
            format!("the {what} snapshot is corrupted or cut short (checksum mismatch)"),
        ));
    }
    Ok(payload)
}

// ----- helpers for types that snapshots read -----

/// Reads a sequence into a `Vec`, reserving room for all its items at once (serde's own
/// `Vec` reserves at most a megabyte up front, then grows, moving every item each time).
/// Use with `#[serde(deserialize_with = "crate::codec::vec_at_once")]` on large vectors of
/// large items. The codec's item count never exceeds the bytes left; if even that much room
/// cannot be had, the vector grows as usual.
pub(crate) fn vec_at_once<'de, D, T>(d: D) -> std::result::Result<Vec<T>, D::Error>
where
    D: de::Deserializer<'de>,
    T: de::Deserialize<'de>,
{
    struct V<T>(std::marker::PhantomData<T>);
    impl<'de, T: de::Deserialize<'de>> Visitor<'de> for V<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a sequence")
        }
        fn visit_seq<A: de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> std::result::Result<Vec<T>, A::Error> {
            let mut out = Vec::new();
            let _ = out.try_reserve_exact(seq.size_hint().unwrap_or(0));
            while let Some(item) = seq.next_element()? {
                out.push(item);
            }
            Ok(out)
        }
    }
    d.deserialize_seq(V(std::marker::PhantomData))
}

// ----- encoding -----

/// Struct field and variant names, numbered in order of first use. Names from serde's derive
/// are `&'static str`, so they are looked up by address first; a table read back from bytes
/// ([`NameTable::from_names`]) has only their text.
#[derive(Clone, Debug, Default)]
struct Names {
    by_address: FxHashMap<(usize, usize), u32>,
    by_text: FxHashMap<Box<str>, u32>,
    list: Vec<Box<str>>,
}

impl Names {
    #[inline]
    fn number(&mut self, name: &'static str) -> u64 {
        let key = (name.as_ptr() as usize, name.len());
        if let Some(&n) = self.by_address.get(&key) {
            return u64::from(n);
        }
        let n = match self.by_text.get(name) {
            Some(&n) => n,
            None => {
                let n = self.list.len() as u32;
                self.by_text.insert(name.into(), n);
                self.list.push(name.into());
                n
            }
        };
        self.by_address.insert(key, n);
        u64::from(n)
    }
}

/// A name table kept across many values encoded one by one with [`encode_with`] (values that
/// are stored apart, each decoded on its own with [`decode_with`]), so that no value carries
/// names of its own. Names are only ever added, so a value's numbers stay valid.
#[derive(Clone, Debug, Default)]
pub(crate) struct NameTable(Names);

impl NameTable {
    /// A table of `names` in this order (as read back from bytes).
    ///
    /// # Errors
    /// When a name appears twice.
    pub(crate) fn from_names<S: Into<Box<str>>>(
        names: impl IntoIterator<Item = S>,
    ) -> Result<Self> {
        let mut t = Names::default();
        for name in names {
            let name: Box<str> = name.into();
            let n = t.list.len() as u32;
            if t.by_text.insert(name.clone(), n).is_some() {
                return err("a name appears twice in the name table");
            }
            t.list.push(name);
        }
        Ok(NameTable(t))
    }

    /// The names, by number.
    pub(crate) fn names(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.0.list.iter().map(|n| &**n)
    }
}

/// Appends the data of `value` to `out` with the names numbered in `names` (no section
/// header, no name table: see [`NameTable`]).
pub(crate) fn encode_with<T: Serialize + ?Sized>(
    out: &mut Vec<u8>,
    value: &T,
    names: &mut NameTable,
) -> Result<()> {
    let mut enc = Encoder {
        out,
        names: NameSource::Growing(&mut names.0),
    };
    value.serialize(&mut enc)
}

/// As [`encode_with`] with a table that is not extended: `Ok(false)` (and `out` to be
/// discarded) when `value` has a name the table does not hold. Numbers stay valid in every
/// later state of the table the fixed one was cloned from, since names are only added; so a
/// value can be encoded against a clone away from the table itself (outside a lock).
pub(crate) fn encode_with_fixed<T: Serialize + ?Sized>(
    out: &mut Vec<u8>,
    value: &T,
    names: &NameTable,
) -> Result<bool> {
    let mut enc = Encoder {
        out,
        names: NameSource::Fixed {
            names: &names.0,
            missed: false,
        },
    };
    value.serialize(&mut enc)?;
    Ok(!matches!(enc.names, NameSource::Fixed { missed: true, .. }))
}

/// Reads a value from `data` written by [`encode_with`] with `names`; the whole of `data`
/// must be the value.
pub(crate) fn decode_with<'de, T: de::Deserialize<'de>>(
    data: &'de [u8],
    names: &'de NameTable,
) -> Result<T> {
    let mut de = Decoder {
        input: Input::new(data),
        names: names.names().collect(),
        depth: 0,
    };
    let value = T::deserialize(&mut de)?;
    if de.input.left() != 0 {
        return err("bytes after the value");
    }
    Ok(value)
}

/// The serializer: appends to a buffer.
pub(crate) struct Encoder<'a> {
    out: &'a mut Vec<u8>,
    names: NameSource<'a>,
}

/// Where an encoder numbers names: a table it extends, or a fixed one (see
/// [`encode_with_fixed`]) that notes a name it does not hold.
enum NameSource<'a> {
    Growing(&'a mut Names),
    Fixed { names: &'a Names, missed: bool },
}

impl NameSource<'_> {
    #[inline]
    fn number(&mut self, name: &'static str) -> u64 {
        match self {
            NameSource::Growing(names) => names.number(name),
            NameSource::Fixed { names, missed } => {
                let key = (name.as_ptr() as usize, name.len());
                match names
                    .by_address
                    .get(&key)
                    .or_else(|| names.by_text.get(name))
                {
                    Some(&n) => u64::from(n),
                    None => {
                        *missed = true;
                        0
                    }
                }
            }
        }
    }
}

impl Encoder<'_> {
    #[inline]
    fn uint(&mut self, v: u64) {
        if v < 0x80 {
            self.out.push(SMALL_UINT | v as u8);
        } else {
            self.out.push(UINT);
            put_varint(self.out, v);
        }
    }

    #[inline]
    fn int(&mut self, v: i64) {
        if v >= 0 {
            self.uint(v as u64);
        } else {
            self.out.push(NINT);
            put_varint(self.out, !v as u64);
        }
    }

    #[inline]
    fn str(&mut self, s: &str) {
        if s.len() < 64 {
            self.out.push(SHORT_STR | s.len() as u8);
        } else {
            self.out.push(STR);
            put_varint(self.out, s.len() as u64);
        }
        self.out.extend_from_slice(s.as_bytes());
    }

    #[inline]
    fn name(&mut self, name: &'static str) {
        let n = self.names.number(name);
        put_varint(self.out, n);
    }
}

/// A sequence or map being written: checks the promised count, or closes an open one.
pub(crate) struct Compound<'b, 'a> {
    enc: &'b mut Encoder<'a>,
    /// Items still promised, or `None` for an open sequence or map.
    left: Option<usize>,
}

impl Compound<'_, '_> {
    #[inline]
    fn item(&mut self) -> Result<()> {
        match &mut self.left {
            Some(0) => err("more items than the length given"),
            Some(n) => {
                *n -= 1;
                Ok(())
            }
            None => Ok(()),
        }
    }

    fn finish(self) -> Result<()> {
        match self.left {
            Some(0) => Ok(()),
            Some(_) => err("fewer items than the length given"),
            None => {
                self.enc.out.push(END);
                Ok(())
            }
        }
    }
}

impl<'b, 'a> ser::Serializer for &'b mut Encoder<'a> {
    type Ok = ();
    type Error = CodecError;
    type SerializeSeq = Compound<'b, 'a>;
    type SerializeTuple = Compound<'b, 'a>;
    type SerializeTupleStruct = Compound<'b, 'a>;
    type SerializeTupleVariant = Compound<'b, 'a>;
    type SerializeMap = MapCompound<'b, 'a>;
    type SerializeStruct = &'b mut Encoder<'a>;
    type SerializeStructVariant = &'b mut Encoder<'a>;

    fn is_human_readable(&self) -> bool {
        false
    }

    fn serialize_bool(self, v: bool) -> Result<()> {
        self.out.push(if v { TRUE } else { FALSE });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<()> {
        self.int(v.into());
        Ok(())
    }
    fn serialize_i16(self, v: i16) -> Result<()> {
        self.int(v.into());
        Ok(())
    }
    fn serialize_i32(self, v: i32) -> Result<()> {
        self.int(v.into());
        Ok(())
    }
    fn serialize_i64(self, v: i64) -> Result<()> {
        self.int(v);
        Ok(())
    }
    fn serialize_i128(self, v: i128) -> Result<()> {
        match i64::try_from(v) {
            Ok(v) => self.serialize_i64(v),
            Err(_) => match u64::try_from(v) {
                Ok(v) => self.serialize_u64(v),
                Err(_) => err("a 128-bit integer out of the 64-bit range"),
            },
        }
    }
    fn serialize_u8(self, v: u8) -> Result<()> {
        self.uint(v.into());
        Ok(())
    }
    fn serialize_u16(self, v: u16) -> Result<()> {
        self.uint(v.into());
        Ok(())
    }
    fn serialize_u32(self, v: u32) -> Result<()> {
        self.uint(v.into());
        Ok(())
    }
    fn serialize_u64(self, v: u64) -> Result<()> {
        self.uint(v);
        Ok(())
    }
    fn serialize_u128(self, v: u128) -> Result<()> {
        match u64::try_from(v) {
            Ok(v) => self.serialize_u64(v),
            Err(_) => err("a 128-bit integer out of the 64-bit range"),
        }
    }
    fn serialize_f32(self, v: f32) -> Result<()> {
        self.out.push(F32);
        self.out.extend_from_slice(&v.to_le_bytes());
        Ok(())
    }
    fn serialize_f64(self, v: f64) -> Result<()> {
        self.out.push(F64);
        self.out.extend_from_slice(&v.to_le_bytes());
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<()> {
        self.str(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<()> {
        self.str(v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<()> {
        self.out.push(BYTES);
        put_varint(self.out, v.len() as u64);
        self.out.extend_from_slice(v);
        Ok(())
    }
    fn serialize_none(self) -> Result<()> {
        self.out.push(NONE);
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<()> {
        self.out.push(SOME);
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<()> {
        self.out.push(NONE);
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<()> {
        self.out.push(NONE);
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<()> {
        self.out.push(UNIT_VARIANT);
        self.name(variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<()> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<()> {
        self.out.push(VARIANT);
        self.name(variant);
        value.serialize(self)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Compound<'b, 'a>> {
        match len {
            Some(n) => {
                self.out.push(SEQ);
                put_varint(self.out, n as u64);
            }
            None => self.out.push(SEQ_OPEN),
        }
        Ok(Compound {
            enc: self,
            left: len,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Compound<'b, 'a>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Compound<'b, 'a>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'b, 'a>> {
        self.out.push(VARIANT);
        self.name(variant);
        self.serialize_seq(Some(len))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<MapCompound<'b, 'a>> {
        match len {
            Some(n) => {
                self.out.push(MAP);
                put_varint(self.out, n as u64);
            }
            None => self.out.push(MAP_OPEN),
        }
        Ok(MapCompound(Compound {
            enc: self,
            left: len,
        }))
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self> {
        self.out.push(STRUCT);
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self> {
        self.out.push(VARIANT);
        self.name(variant);
        self.out.push(STRUCT);
        Ok(self)
    }
    fn collect_str<T: fmt::Display + ?Sized>(self, value: &T) -> Result<()> {
        self.str(&value.to_string());
        Ok(())
    }
}

impl ser::SerializeSeq for Compound<'_, '_> {
    type Ok = ();
    type Error = CodecError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.item()?;
        value.serialize(&mut *self.enc)
    }
    fn end(self) -> Result<()> {
        self.finish()
    }
}

impl ser::SerializeTuple for Compound<'_, '_> {
    type Ok = ();
    type Error = CodecError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.item()?;
        value.serialize(&mut *self.enc)
    }
    fn end(self) -> Result<()> {
        self.finish()
    }
}

impl ser::SerializeTupleStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = CodecError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.item()?;
        value.serialize(&mut *self.enc)
    }
    fn end(self) -> Result<()> {
        self.finish()
    }
}

impl ser::SerializeTupleVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = CodecError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.item()?;
        value.serialize(&mut *self.enc)
    }
    fn end(self) -> Result<()> {
        self.finish()
    }
}

/// A map being written (keys and values alternate).
pub(crate) struct MapCompound<'b, 'a>(Compound<'b, 'a>);

impl ser::SerializeMap for MapCompound<'_, '_> {
    type Ok = ();
    type Error = CodecError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<()> {
        self.0.item()?;
        key.serialize(&mut *self.0.enc)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        value.serialize(&mut *self.0.enc)
    }
    fn end(self) -> Result<()> {
        self.0.finish()
    }
}

impl ser::SerializeStruct for &mut Encoder<'_> {
    type Ok = ();
    type Error = CodecError;
    #[inline]
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        let n = self.names.number(key);
        put_varint(self.out, n + 1);
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<()> {
        self.out.push(0);
        Ok(())
    }
}

impl ser::SerializeStructVariant for &mut Encoder<'_> {
    type Ok = ();
    type Error = CodecError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        ser::SerializeStruct::serialize_field(self, key, value)
    }
    fn end(self) -> Result<()> {
        ser::SerializeStruct::end(self)
    }
}

// ----- decoding -----

/// The deserializer over one section's data.
pub(crate) struct Decoder<'de> {
    input: Input<'de>,
    names: Vec<&'de str>,
    depth: u32,
}

impl<'de> Decoder<'de> {
    #[inline]
    fn name(&mut self) -> Result<&'de str> {
        let n = self.input.varint()?;
        match self.names.get(n as usize) {
            Some(&name) => Ok(name),
            None => err("a name number outside the name table"),
        }
    }

    fn deeper(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return err("values nest too deeply");
        }
        Ok(())
    }

    /// Reads one value of any kind and drops it.
    fn skip(&mut self) -> Result<()> {
        let tag = self.input.byte()?;
        match tag {
            NONE | FALSE | TRUE => {}
            SOME => {
                self.deeper()?;
                self.skip()?;
                self.depth -= 1;
            }
            UINT | NINT => {
                self.input.varint()?;
            }
            F32 => {
                self.input.take(4)?;
            }
            F64 => {
                self.input.take(8)?;
            }
            STR | BYTES => {
                let n = self.input.count()?;
                self.input.take(n)?;
            }
            SEQ | MAP => {
                let n = self.input.count()?;
                let items = if tag == MAP { n * 2 } else { n };
                self.deeper()?;
                for _ in 0..items {
                    self.skip()?;
                }
                self.depth -= 1;
            }
            SEQ_OPEN | MAP_OPEN => {
                self.deeper()?;
                while self.input.peek()? != END {
                    self.skip()?;
                }
                self.input.byte()?;
                self.depth -= 1;
            }
            STRUCT => {
                self.deeper()?;
                loop {
                    let k = self.input.varint()?;
                    if k == 0 {
                        break;
                    }
                    if k > self.names.len() as u64 {
                        return err("a name number outside the name table");
                    }
                    self.skip()?;
                }
                self.depth -= 1;
            }
            UNIT_VARIANT => {
                self.name()?;
            }
            VARIANT => {
                self.name()?;
                self.deeper()?;
                self.skip()?;
                self.depth -= 1;
            }
            t if t >= SMALL_UINT => {}
            t if t >= SHORT_STR => {
                self.input.take(usize::from(t - SHORT_STR))?;
            }
            t => return err(format!("unknown tag {t:#04x}")),
        }
        Ok(())
    }

    /// Reads an integer whose tag is already read, for visitors that want a number.
    fn visit_int<V: Visitor<'de>>(&mut self, tag: u8, visitor: V) -> Result<V::Value> {
        match tag {
            UINT => visitor.visit_u64(self.input.varint()?),
            NINT => visitor.visit_i64(!(self.input.varint()? as i64)),
            t => visitor.visit_u64(u64::from(t - SMALL_UINT)),
        }
    }
}

impl<'de> de::Deserializer<'de> for &mut Decoder<'de> {
    type Error = CodecError;

    fn is_human_readable(&self) -> bool {
        false
    }

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let tag = self.input.byte()?;
        match tag {
            NONE => visitor.visit_unit(),
            SOME => {
                self.deeper()?;
                let v = visitor.visit_some(&mut *self);
                self.depth -= 1;
                v
            }
            FALSE => visitor.visit_bool(false),
            TRUE => visitor.visit_bool(true),
            UINT | NINT => self.visit_int(tag, visitor),
            F32 => {
                let b = self.input.take(4)?;
                visitor.visit_f32(f32::from_le_bytes(b.try_into().expect("four bytes")))
            }
            F64 => {
                let b = self.input.take(8)?;
                visitor.visit_f64(f64::from_le_bytes(b.try_into().expect("eight bytes")))
            }
            STR => {
                let n = self.input.count()?;
                visitor.visit_borrowed_str(self.input.str_of_len(n)?)
            }
            BYTES => {
                let n = self.input.count()?;
                visitor.visit_borrowed_bytes(self.input.take(n)?)
            }
            SEQ | SEQ_OPEN => {
                let left = if tag == SEQ {
                    Some(self.input.count()?)
                } else {
                    None
                };
                self.deeper()?;
                let mut access = SeqAccess { de: self, left };
                let v = visitor.visit_seq(&mut access)?;
                access.finish()?;
                self.depth -= 1;
                Ok(v)
            }
            MAP | MAP_OPEN => {
                let left = if tag == MAP {
                    Some(self.input.count()?)
                } else {
                    None
                };
                self.deeper()?;
                let mut access = MapAccess { de: self, left };
                let v = visitor.visit_map(&mut access)?;
                access.finish()?;
                self.depth -= 1;
                Ok(v)
            }
            STRUCT => {
                self.deeper()?;
                let mut access = StructAccess {
                    de: self,
                    done: false,
                };
                let v = visitor.visit_map(&mut access)?;
                access.finish()?;
                self.depth -= 1;
                Ok(v)
            }
            UNIT_VARIANT => visitor.visit_borrowed_str(self.name()?),
            VARIANT => {
                let name = self.name()?;
                self.deeper()?;
                let v = visitor.visit_map(VariantMap {
                    de: &mut *self,
                    name: Some(name),
                })?;
                self.depth -= 1;
                Ok(v)
            }
            t if t >= SMALL_UINT => self.visit_int(t, visitor),
            t if t >= SHORT_STR => {
                visitor.visit_borrowed_str(self.input.str_of_len(usize::from(t - SHORT_STR))?)
            }
            t => err(format!("unknown tag {t:#04x}")),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.input.peek()? {
            NONE => {
                self.input.byte()?;
                visitor.visit_none()
            }
            SOME => {
                self.input.byte()?;
                self.deeper()?;
                let v = visitor.visit_some(&mut *self);
                self.depth -= 1;
                v
            }
            // A type may write its `Some` as the bare value (as JSON does).
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        let tag = self.input.byte()?;
        match tag {
            UNIT_VARIANT => visitor.visit_enum(self.name()?.into_deserializer()),
            STR => {
                let n = self.input.count()?;
                visitor.visit_enum(self.input.str_of_len(n)?.into_deserializer())
            }
            t if (SHORT_STR..SMALL_UINT).contains(&t) => visitor.visit_enum(
                self.input
                    .str_of_len(usize::from(t - SHORT_STR))?
                    .into_deserializer(),
            ),
            VARIANT => {
                let name = self.name()?;
                self.deeper()?;
                let v = visitor.visit_enum(EnumAccess {
                    de: &mut *self,
                    name,
                })?;
                self.depth -= 1;
                Ok(v)
            }
            t => err(format!("expected an enum variant, found tag {t:#04x}")),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.skip()?;
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct identifier
    }
}

/// The items of a sequence.
struct SeqAccess<'a, 'de> {
    de: &'a mut Decoder<'de>,
    left: Option<usize>,
}

impl SeqAccess<'_, '_> {
    /// Checks that the visitor read every item (serde's visitors do, or fail).
    fn finish(&mut self) -> Result<()> {
        match self.left {
            Some(0) => Ok(()),
            Some(_) => err("a sequence has more items than expected"),
            None => {
                if self.de.input.byte()? == END {
                    Ok(())
                } else {
                    err("a sequence has more items than expected")
                }
            }
        }
    }
}

impl<'de> de::SeqAccess<'de> for SeqAccess<'_, 'de> {
    type Error = CodecError;

    #[inline]
    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        match &mut self.left {
            Some(0) => return Ok(None),
            Some(n) => *n -= 1,
            None => {
                if self.de.input.peek()? == END {
                    return Ok(None);
                }
            }
        }
        seed.deserialize(&mut *self.de).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        self.left
    }
}

/// The entries of a map.
struct MapAccess<'a, 'de> {
    de: &'a mut Decoder<'de>,
    left: Option<usize>,
}

impl MapAccess<'_, '_> {
    fn finish(&mut self) -> Result<()> {
        match self.left {
            Some(0) => Ok(()),
            Some(_) => err("a map has more entries than expected"),
            None => {
                if self.de.input.byte()? == END {
                    Ok(())
                } else {
                    err("a map has more entries than expected")
                }
            }
        }
    }
}

impl<'de> de::MapAccess<'de> for MapAccess<'_, 'de> {
    type Error = CodecError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        match &mut self.left {
            Some(0) => return Ok(None),
            Some(n) => *n -= 1,
            None => {
                if self.de.input.peek()? == END {
                    return Ok(None);
                }
            }
        }
        seed.deserialize(&mut *self.de).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        seed.deserialize(&mut *self.de)
    }

    fn size_hint(&self) -> Option<usize> {
        self.left
    }
}

/// The fields of a struct, keyed by name.
struct StructAccess<'a, 'de> {
    de: &'a mut Decoder<'de>,
    done: bool,
}

impl StructAccess<'_, '_> {
    /// Skips the fields a visitor left unread (it stops only at the end, or fails).
    fn finish(&mut self) -> Result<()> {
        while !self.done {
            let k = self.de.input.varint()?;
            if k == 0 {
                self.done = true;
            } else {
                if k > self.de.names.len() as u64 {
                    return err("a name number outside the name table");
                }
                self.de.skip()?;
            }
        }
        Ok(())
    }
}

impl<'de> de::MapAccess<'de> for StructAccess<'_, 'de> {
    type Error = CodecError;

    #[inline]
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        if self.done {
            return Ok(None);
        }
        let k = self.de.input.varint()?;
        if k == 0 {
            self.done = true;
            return Ok(None);
        }
        let name = match self.de.names.get(k as usize - 1) {
            Some(&name) => name,
            None => return err("a name number outside the name table"),
        };
        seed.deserialize(de::value::BorrowedStrDeserializer::new(name))
            .map(Some)
    }

    #[inline]
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        seed.deserialize(&mut *self.de)
    }
}

/// A non-unit variant seen as a map of one entry (its name to its content), for
/// `deserialize_any`.
struct VariantMap<'a, 'de> {
    de: &'a mut Decoder<'de>,
    name: Option<&'de str>,
}

impl<'de> de::MapAccess<'de> for VariantMap<'_, 'de> {
    type Error = CodecError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        match self.name.take() {
            Some(name) => seed
                .deserialize(de::value::BorrowedStrDeserializer::new(name))
                .map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        seed.deserialize(&mut *self.de)
    }
}

/// A non-unit variant for `deserialize_enum`.
struct EnumAccess<'a, 'de> {
    de: &'a mut Decoder<'de>,
    name: &'de str,
}

impl<'a, 'de> de::EnumAccess<'de> for EnumAccess<'a, 'de> {
    type Error = CodecError;
    type Variant = &'a mut Decoder<'de>;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self::Variant)> {
        let v = seed.deserialize(de::value::BorrowedStrDeserializer::<CodecError>::new(
            self.name,
        ))?;
        Ok((v, self.de))
    }
}

impl<'de> de::VariantAccess<'de> for &mut Decoder<'de> {
    type Error = CodecError;

    fn unit_variant(self) -> Result<()> {
        de::Deserialize::deserialize(self)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        de::Deserializer::deserialize_any(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        de::Deserializer::deserialize_any(self, visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};
    use std::collections::BTreeMap;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    enum Shape {
        Dot,
        Circle(f64),
        Pair(u8, String),
        Rect { w: u32, h: i64 },
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(untagged)]
    enum Loose {
        Number(u64),
        Text(String),
        List(Vec<Loose>),
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Sample {
        id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        tags: Vec<String>,
        shapes: Vec<Shape>,
        numbers: (i8, i16, i32, i64, u8, u16, u32, u64, f32),
        map: BTreeMap<String, serde_json::Value>,
        loose: Vec<Loose>,
        nested: Option<Option<bool>>,
        unit: (),
        ch: char,
        boxed: Box<str>,
        long: String,
    }

    fn sample() -> Sample {
        Sample {
            id: "m-1".into(),
            note: None,
            tags: vec!["a".into(), "бэ".into()],
            shapes: vec![
                Shape::Dot,
                Shape::Circle(1.5),
                Shape::Pair(7, "x".into()),
                Shape::Rect { w: 300, h: -5 },
            ],
            numbers: (-1, -300, i32::MIN, i64::MIN, 255, 65535, u32::MAX, u64::MAX, 0.25),
            map: serde_json::from_str(
                r#"{"a": null, "b": [1, -2, 3.5, "x", true], "c": {"d": {}}, "e": 18446744073709551615}"#,
            )
            .unwrap(),
            loose: vec![
                Loose::Number(5),
                Loose::Text("t".into()),
                Loose::List(vec![Loose::Number(1)]),
            ],
            nested: Some(None),
            unit: (),
            ch: 'ж',
            boxed: "boxed".into(),
            long: "x".repeat(1000),
        }
    }

    fn round_trip<T: Serialize + for<'de> Deserialize<'de>>(v: &T) -> T {
        let mut out = Vec::new();
        encode_into(&mut out, v).unwrap();
        decode(&out).unwrap()
    }

    #[test]
    fn values_round_trip() {
        assert_eq!(round_trip(&sample()), sample());
        let text = vec!["z".repeat(63), "y".repeat(64), String::new()];
        assert_eq!(round_trip(&text), text);
    }

    #[test]
    fn names_are_written_once() {
        let many: Vec<Shape> = (0..100).map(|h| Shape::Rect { w: 1, h }).collect();
        let mut out = Vec::new();
        encode_into(&mut out, &many).unwrap();
        assert_eq!(out.windows(4).filter(|w| w == b"Rect").count(), 1);
        assert_eq!(decode::<Vec<Shape>>(&out).unwrap(), many);
    }

    #[test]
    fn unknown_fields_are_skipped_or_refused_as_the_type_says() {
        #[derive(Serialize)]
        struct Wide {
            id: String,
            extra: Vec<Shape>,
        }
        #[derive(Deserialize, Debug)]
        struct Narrow {
            id: String,
        }
        #[derive(Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Strict {
            id: String,
        }
        let mut out = Vec::new();
        let wide = Wide {
            id: "w".into(),
            extra: vec![Shape::Dot, Shape::Rect { w: 1, h: 2 }],
        };
        encode_into(&mut out, &wide).unwrap();
        assert_eq!(decode::<Narrow>(&out).unwrap().id, "w");
        assert!(decode::<Strict>(&out).is_err());
    }

    #[test]
    fn damage_is_an_error_never_a_panic() {
        let mut out = Vec::new();
        encode_into(&mut out, &sample()).unwrap();
        for cut in 0..out.len() {
            assert!(decode::<Sample>(&out[..cut]).is_err());
        }
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let mut bad = out.clone();
            let at = (state % bad.len() as u64) as usize;
            bad[at] ^= 1 << ((state >> 32) % 8);
            let _ = decode::<Sample>(&bad);
        }
    }

    #[test]
    fn deep_nesting_is_refused() {
        let mut data = vec![SEQ_OPEN; 100_000];
        data.push(END);
        let mut section = (data.len() as u64).to_le_bytes().to_vec();
        section.extend_from_slice(&data);
        section.push(0);
        assert!(decode::<serde_json::Value>(&section).is_err());
        assert!(decode::<serde::de::IgnoredAny>(&section).is_err());
    }
}
