//! A serde deserializer over the document tree that gives Go's type-directed behaviour:
//! scalars become what the target type asks for, unknown fields become warnings, and every
//! error carries the line, column and path of the value it is about.

use std::cell::RefCell;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, EnumAccess, IntoDeserializer, MapAccess, SeqAccess,
    Unexpected, VariantAccess, Visitor,
};

use super::resolve::{Resolved, go_string, resolve};
use super::tree::{Entry, Kind, Node, Seg, render_path};
use super::{Error, Location, Warning, WarningKind};

/// Reads `root` into `T`, appending unknown-field warnings to `warnings`.
pub(crate) fn deserialize<T: DeserializeOwned>(
    root: &Node<'_>,
    warnings: &mut Vec<Warning>,
) -> Result<T, Error> {
    let sink = RefCell::new(Vec::new());
    let result = T::deserialize(NodeDe {
        node: root,
        path: &Path::Root,
        sink: &sink,
    });
    warnings.append(&mut sink.into_inner());
    result
}

/// The path from the root to a node, kept on the stack and only rendered when needed.
#[derive(Clone, Copy)]
enum Path<'p> {
    Root,
    Key(&'p Path<'p>, &'p str),
    Index(&'p Path<'p>, usize),
}

impl Path<'_> {
    fn render(&self) -> String {
        let mut segs = Vec::new();
        let mut at = self;
        loop {
            match at {
                Path::Root => break,
                Path::Key(parent, key) => {
                    segs.push(Seg::Key(key));
                    at = parent;
                }
                Path::Index(parent, i) => {
                    segs.push(Seg::Index(*i));
                    at = parent;
                }
            }
        }
        segs.reverse();
        render_path(segs)
    }
}

type Sink = RefCell<Vec<Warning>>;

struct NodeDe<'de, 'p> {
    node: &'de Node<'de>,
    path: &'p Path<'p>,
    sink: &'p Sink,
}

impl<'de> NodeDe<'de, '_> {
    fn location(&self) -> Location {
        self.node.location(self.path.render())
    }

    /// Gives an error raised at this node (by us or by the visitor) this node's location.
    fn locate<V>(&self, result: Result<V, Error>) -> Result<V, Error> {
        result.map_err(|mut e| {
            if e.location.is_none() {
                e.location = Some(self.location());
            }
            e
        })
    }

    fn resolved(&self) -> Option<Resolved<'de>> {
        match &self.node.kind {
            Kind::Scalar(text, style) => Some(resolve(text.as_ref(), *style)),
            _ => None,
        }
    }

    fn unexpected(&self) -> Unexpected<'de> {
        match &self.node.kind {
            Kind::Seq(_) => Unexpected::Seq,
            Kind::Map(_) => Unexpected::Map,
            Kind::Scalar(text, style) => match resolve(text.as_ref(), *style) {
                Resolved::Null => Unexpected::Unit,
                Resolved::Bool(b) => Unexpected::Bool(b),
                Resolved::Int(i) => Unexpected::Signed(i),
                Resolved::Uint(u) => Unexpected::Unsigned(u),
                Resolved::Float(f) => Unexpected::Float(f),
                Resolved::Str(s) => Unexpected::Str(s),
            },
        }
    }

    fn invalid<V, T: Visitor<'de>>(&self, visitor: &T) -> Result<V, Error> {
        Err(de::Error::invalid_type(self.unexpected(), visitor))
    }

    fn seq<V: Visitor<'de>>(&self, items: &'de [Node<'de>], visitor: V) -> Result<V::Value, Error> {
        let mut access = SeqDe {
            items,
            index: 0,
            path: self.path,
            sink: self.sink,
        };
        let value = visitor.visit_seq(&mut access)?;
        if access.index < items.len() {
            return Err(de::Error::invalid_length(items.len(), &"fewer elements"));
        }
        Ok(value)
    }

    fn map<V: Visitor<'de>>(
        &self,
        entries: &'de [Entry<'de>],
        fields: Option<&'static [&'static str]>,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_map(MapDe {
            entries,
            next: 0,
            value: 0,
            fields,
            path: self.path,
            sink: self.sink,
        })
    }

    fn integer<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let result = match self.resolved() {
            Some(Resolved::Int(i)) => visitor.visit_i64(i),
            Some(Resolved::Uint(u)) => visitor.visit_u64(u),
            Some(Resolved::Float(f)) if f.is_finite() && f.fract() == 0.0 => {
                if f < 0.0 {
                    visitor.visit_i64(f as i64)
                } else {
                    visitor.visit_u64(f as u64)
                }
            }
            Some(Resolved::Null) => visitor.visit_u64(0),
            _ => self.invalid(&visitor),
        };
        self.locate(result)
    }

    fn float<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let result = match self.resolved() {
            Some(Resolved::Int(i)) => visitor.visit_f64(i as f64),
            Some(Resolved::Uint(u)) => visitor.visit_f64(u as f64),
            Some(Resolved::Float(f)) => visitor.visit_f64(f),
            Some(Resolved::Null) => visitor.visit_f64(0.0),
            _ => self.invalid(&visitor),
        };
        self.locate(result)
    }
}

impl<'de> de::Deserializer<'de> for NodeDe<'de, '_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let result = match &self.node.kind {
            Kind::Scalar(text, style) => match resolve(text.as_ref(), *style) {
                Resolved::Null => visitor.visit_unit(),
                Resolved::Bool(b) => visitor.visit_bool(b),
                Resolved::Int(i) => visitor.visit_i64(i),
                Resolved::Uint(u) => visitor.visit_u64(u),
                Resolved::Float(f) => visitor.visit_f64(f),
                Resolved::Str(s) => visitor.visit_borrowed_str(s),
            },
            Kind::Seq(items) => self.seq(items, visitor),
            Kind::Map(entries) => self.map(entries, None, visitor),
        };
        self.locate(result)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let result = match self.resolved() {
            Some(Resolved::Bool(b)) => visitor.visit_bool(b),
            Some(Resolved::Null) => visitor.visit_bool(false),
            _ => self.invalid(&visitor),
        };
        self.locate(result)
    }

    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.integer(visitor)
    }
    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.integer(visitor)
    }
    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.integer(visitor)
    }
    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.integer(visitor)
    }
    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.integer(visitor)
    }
    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.integer(visitor)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.integer(visitor)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.integer(visitor)
    }
    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.float(visitor)
    }
    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.float(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let result = match self.resolved() {
            Some(Resolved::Str(s)) => visitor.visit_borrowed_str(s),
            Some(other) => visitor.visit_string(go_string(other).into_owned()),
            None => self.invalid(&visitor),
        };
        self.locate(result)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let result = match self.resolved() {
            Some(Resolved::Str(s)) => visitor.visit_borrowed_bytes(s.as_bytes()),
            Some(other) => visitor.visit_byte_buf(go_string(other).into_owned().into_bytes()),
            None => self.invalid(&visitor),
        };
        self.locate(result)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.node.is_null() {
            self.locate(visitor.visit_none())
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let result = if self.node.is_null() {
            visitor.visit_unit()
        } else {
            self.invalid(&visitor)
        };
        self.locate(result)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let result = match &self.node.kind {
            Kind::Seq(items) => self.seq(items, visitor),
            _ if self.node.is_null() => self.seq(&[], visitor),
            _ => self.invalid(&visitor),
        };
        self.locate(result)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let result = match &self.node.kind {
            Kind::Map(entries) => self.map(entries, None, visitor),
            _ if self.node.is_null() => self.map(&[], None, visitor),
            _ => self.invalid(&visitor),
        };
        self.locate(result)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let result = match &self.node.kind {
            Kind::Map(entries) => self.map(entries, Some(fields), visitor),
            _ if self.node.is_null() => self.map(&[], Some(fields), visitor),
            _ => self.invalid(&visitor),
        };
        self.locate(result)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let result = match &self.node.kind {
            Kind::Scalar(text, style) => {
                let name = go_string(resolve(text.as_ref(), *style)).into_owned();
                visitor.visit_enum(name.into_deserializer())
            }
            Kind::Map(entries) if entries.len() == 1 => visitor.visit_enum(EnumDe {
                entry: &entries[0],
                path: self.path,
                sink: self.sink,
            }),
            _ => self.invalid(&visitor),
        };
        self.locate(result)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }
}

struct SeqDe<'de, 'p> {
    items: &'de [Node<'de>],
    index: usize,
    path: &'p Path<'p>,
    sink: &'p Sink,
}

impl<'de> SeqAccess<'de> for SeqDe<'de, '_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some(node) = self.items.get(self.index) else {
            return Ok(None);
        };
        let path = Path::Index(self.path, self.index);
        self.index += 1;
        seed.deserialize(NodeDe {
            node,
            path: &path,
            sink: self.sink,
        })
        .map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len() - self.index)
    }
}

struct MapDe<'de, 'p> {
    entries: &'de [Entry<'de>],
    next: usize,
    value: usize,
    fields: Option<&'static [&'static str]>,
    path: &'p Path<'p>,
    sink: &'p Sink,
}

impl<'de> MapAccess<'de> for MapDe<'de, '_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        while let Some(entry) = self.entries.get(self.next) {
            self.next += 1;
            let key: &'de str = entry.key.as_ref();
            let name: &'de str = match self.fields {
                None => key,
                Some(fields) if fields.contains(&key) => key,
                Some(fields) => match fields.iter().find(|f| f.eq_ignore_ascii_case(key)) {
                    Some(field) => field,
                    None => {
                        let path = Path::Key(self.path, key);
                        self.sink.borrow_mut().push(Warning {
                            location: Location {
                                line: entry.line as usize,
                                column: entry.col as usize,
                                path: path_of_parent(&path),
                            },
                            kind: WarningKind::UnknownField(key.to_string()),
                        });
                        continue;
                    }
                },
            };
            self.value = self.next - 1;
            return seed
                .deserialize(KeyDe { key: name })
                .map(Some)
                .map_err(|mut e| {
                    if e.location.is_none() {
                        e.location = Some(Location {
                            line: entry.line as usize,
                            column: entry.col as usize,
                            path: Path::Key(self.path, key).render(),
                        });
                    }
                    e
                });
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let entry = &self.entries[self.value];
        let path = Path::Key(self.path, entry.key.as_ref());
        seed.deserialize(NodeDe {
            node: &entry.value,
            path: &path,
            sink: self.sink,
        })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len() - self.next)
    }
}

/// The rendered path of the mapping that holds the last key of `path`.
fn path_of_parent(path: &Path<'_>) -> String {
    match path {
        Path::Key(parent, _) | Path::Index(parent, _) => parent.render(),
        Path::Root => String::new(),
    }
}

/// A mapping key as a deserializer: a string, or a number or boolean when the target map's
/// key type asks for one.
struct KeyDe<'de> {
    key: &'de str,
}

impl KeyDe<'_> {
    fn error(&self, what: &str) -> Error {
        de::Error::custom(format!("invalid map key {:?}: expected {what}", self.key))
    }
}

macro_rules! key_number {
    ($($method:ident => $visit:ident: $ty:ty),* $(,)?) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match self.key.parse::<$ty>() {
                Ok(n) => visitor.$visit(n),
                Err(_) => Err(self.error(stringify!($ty))),
            }
        })*
    };
}

impl<'de> de::Deserializer<'de> for KeyDe<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_borrowed_str(self.key)
    }

    key_number! {
        deserialize_i8 => visit_i8: i8,
        deserialize_i16 => visit_i16: i16,
        deserialize_i32 => visit_i32: i32,
        deserialize_i64 => visit_i64: i64,
        deserialize_u8 => visit_u8: u8,
        deserialize_u16 => visit_u16: u16,
        deserialize_u32 => visit_u32: u32,
        deserialize_u64 => visit_u64: u64,
        deserialize_f32 => visit_f32: f32,
        deserialize_f64 => visit_f64: f64,
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.key {
            "true" => visitor.visit_bool(true),
            "false" => visitor.visit_bool(false),
            _ => Err(self.error("a boolean")),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_enum(self.key.into_deserializer())
    }

    serde::forward_to_deserialize_any! {
        char str string bytes byte_buf unit unit_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

/// `{Variant: value}` as an externally tagged enum.
struct EnumDe<'de, 'p> {
    entry: &'de Entry<'de>,
    path: &'p Path<'p>,
    sink: &'p Sink,
}

impl<'de, 'p> EnumAccess<'de> for EnumDe<'de, 'p> {
    type Error = Error;
    type Variant = VariantDe<'de, 'p>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self::Variant), Error> {
        let variant = seed.deserialize(KeyDe {
            key: self.entry.key.as_ref(),
        })?;
        Ok((
            variant,
            VariantDe {
                entry: self.entry,
                path: self.path,
                sink: self.sink,
            },
        ))
    }
}

struct VariantDe<'de, 'p> {
    entry: &'de Entry<'de>,
    path: &'p Path<'p>,
    sink: &'p Sink,
}

impl<'de> VariantDe<'de, '_> {
    fn with<R>(&self, f: impl FnOnce(NodeDe<'de, '_>) -> R) -> R {
        let path = Path::Key(self.path, self.entry.key.as_ref());
        f(NodeDe {
            node: &self.entry.value,
            path: &path,
            sink: self.sink,
        })
    }
}

impl<'de> VariantAccess<'de> for VariantDe<'de, '_> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        self.with(|de| serde::Deserialize::deserialize(de))
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        self.with(|de| seed.deserialize(de))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        self.with(|de| de::Deserializer::deserialize_seq(de, visitor))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.with(|de| de::Deserializer::deserialize_struct(de, "", fields, visitor))
    }
}
