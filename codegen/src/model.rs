//! The intermediate model: named Rust types with fields, variants and docs.
//!
//! It is the contract between [`crate::lower`] (where JSON Schema meaning is
//! decided) and [`crate::emit`] (which only prints). Nothing here refers to
//! JSON Schema keywords; everything here is already valid Rust naming.

use crate::load::NodeRef;

/// Index of a [`TypeDef`] in a [`TypeSpace`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeId(pub usize);

/// Every named type of one run, in the order they are emitted.
#[derive(Debug, Clone, Default)]
pub struct TypeSpace {
    /// The types; a [`TypeId`] indexes this vector.
    pub types: Vec<TypeDef>,
    /// Types of the user's ([`RustType::External`]) said to implement `Eq`
    /// and `Hash` (`--replace SEL=PATH:Eq+Hash`).
    pub eq_hash_externals: std::collections::BTreeSet<String>,
}

impl TypeSpace {
    /// The type behind `id`.
    pub fn get(&self, id: TypeId) -> &TypeDef {
        &self.types[id.0]
    }
}

/// One named Rust type.
#[derive(Debug, Clone)]
pub struct TypeDef {
    /// UpperCamelCase Rust name, unique in the space.
    pub name: String,
    /// Documentation, already cleaned; one entry per line.
    pub docs: Vec<String>,
    /// The schema node it was made from.
    pub origin: NodeRef,
    /// What kind of type it is.
    pub kind: TypeKind,
    /// Whether `Eq` and `Hash` can be derived (no floats or JSON values inside).
    pub eq_hash: bool,
    /// Marked `deprecated: true` in the schema.
    pub deprecated: bool,
    /// Derives the user asked for (`--derive`), beside the generator's.
    pub derives: Vec<String>,
    /// Attributes the user asked for (`--attribute`), as written.
    pub attributes: Vec<String>,
    /// Values are checked against the type's schema when read
    /// (`--validate`).
    pub validate: bool,
}

impl TypeDef {
    /// Calls `visit` on every Rust type written in this type's fields,
    /// variants, items or alias (not inside them: see
    /// [`RustType::for_each_inner_mut`]). Tagged union members are type
    /// ids, not Rust types, and are not visited.
    pub fn for_each_type_mut(&mut self, visit: &mut dyn FnMut(&mut RustType)) {
        match &mut self.kind {
            TypeKind::Struct(s) => {
                for field in &mut s.fields {
                    visit(&mut field.value);
                }
                if let Some((_, ty)) = &mut s.extra {
                    visit(ty);
                }
            }
            TypeKind::Union(u) => {
                for field in u.common.iter_mut().chain(&mut u.envelope) {
                    visit(&mut field.ty);
                }
            }
            TypeKind::Untagged(u) => u.variants.iter_mut().for_each(|v| visit(&mut v.ty)),
            TypeKind::Tuple(t) => t.items.iter_mut().for_each(visit),
            TypeKind::Alias(ty) | TypeKind::Newtype(ty) => visit(ty),
            TypeKind::Const(_) | TypeKind::Enum(_) | TypeKind::Literals(_) => {}
        }
    }
}

/// The shape of a named type.
#[derive(Debug, Clone)]
pub enum TypeKind {
    /// A struct with named fields.
    Struct(Struct),
    /// A single allowed string: a one-variant enum that is its own default.
    Const(Const),
    /// A set of allowed strings; `open` keeps unknown strings in `Other`.
    Enum(Enum),
    /// A set of allowed JSON values that are not all strings (`const: 1`,
    /// `enum: [1, "a", false]`): a unit variant each, read by JSON Schema
    /// equality and written back as the schema gives them.
    Literals(Literals),
    /// A union dispatched on a string property of every variant.
    Union(Union),
    /// A union without a tag: the first member that parses wins.
    Untagged(Untagged),
    /// A fixed-length array whose last items may be missing
    /// (`prefixItems` with `minItems` below its length): a tuple struct
    /// whose optional positions are `Option`s.
    Tuple(Tuple),
    /// A name for another type (`pub type Name = Target;`).
    Alias(RustType),
    /// A serde-transparent tuple struct around a type
    /// (`pub struct Name(pub Target);`): what an alias becomes when it
    /// would refer to itself (`Tree = Vec<Tree>`), which Rust aliases cannot.
    Newtype(RustType),
}

impl TypeKind {
    /// Whether the Rust type is `#[non_exhaustive]`, so that a variant can
    /// be added without breaking a user's `match`: string enums (open or
    /// closed), unions and untagged unions. Constants, literal sets, structs
    /// (public fields), tuples, aliases and newtypes are exhaustive. `emit`
    /// prints the attribute from the same kinds (a unit test there checks
    /// that the two agree), and `diff` reads it to classify an added variant.
    #[cfg_attr(not(feature = "webhooks"), allow(dead_code))]
    pub fn non_exhaustive(&self) -> bool {
        match self {
            TypeKind::Enum(_) | TypeKind::Union(_) | TypeKind::Untagged(_) => true,
            TypeKind::Struct(_)
            | TypeKind::Const(_)
            | TypeKind::Literals(_)
            | TypeKind::Tuple(_)
            | TypeKind::Alias(_)
            | TypeKind::Newtype(_) => false,
        }
    }

    /// A word for the kind, for messages.
    #[cfg_attr(not(feature = "webhooks"), allow(dead_code))]
    pub fn word(&self) -> &'static str {
        match self {
            TypeKind::Struct(_) => "struct",
            TypeKind::Const(_) => "constant",
            TypeKind::Enum(e) if e.open.is_some() => "open enum",
            TypeKind::Enum(_) => "enum",
            TypeKind::Literals(_) => "set of values",
            TypeKind::Union(_) => "tagged union",
            TypeKind::Untagged(_) => "untagged union",
            TypeKind::Tuple(_) => "tuple struct",
            TypeKind::Alias(_) => "type alias",
            TypeKind::Newtype(_) => "newtype",
        }
    }
}

/// A union serde tells apart by trying each member in order.
#[derive(Debug, Clone)]
pub struct Untagged {
    /// The members, in the order they are tried.
    pub variants: Vec<UntaggedVariant>,
    /// `Some` when every member is an open struct and two of them list
    /// properties neither includes the other's: the property names each
    /// member lists, in variant order. A document then goes to the member
    /// that accepts it and lists the most of its properties (the first on
    /// a tie), so that what one member would drop another keeps.
    pub most_kept: Option<Vec<Vec<String>>>,
}

/// One member of an [`Untagged`] union.
#[derive(Debug, Clone)]
pub struct UntaggedVariant {
    /// The Rust variant name.
    pub name: String,
    /// What it holds.
    pub ty: RustType,
    /// Documentation lines.
    pub docs: Vec<String>,
}

/// A struct with named fields, in schema order.
#[derive(Debug, Clone)]
pub struct Struct {
    /// The fields.
    pub fields: Vec<Field>,
    /// Whether unknown properties are an error (`additionalProperties: false`).
    pub deny_unknown_fields: bool,
    /// Properties not listed, kept in a flattened map: the field name and
    /// the map's value type (from `additionalProperties` or
    /// `patternProperties` schemas).
    pub extra: Option<(String, RustType)>,
}

/// One field of a [`Struct`].
#[derive(Debug, Clone)]
pub struct Field {
    /// The Rust identifier (snake_case, keyword-safe).
    pub name: String,
    /// The JSON property name.
    pub json_name: String,
    /// The type of the property's value when it is present (an `Option`,
    /// or an alias of one, when the value may be `null`). The field's own
    /// type follows from it and [`Field::presence`]: see [`Field::ty`].
    pub value: RustType,
    /// Whether the property must be present, and what absent and `null`
    /// become.
    pub presence: Presence,
    /// Marked `deprecated: true` in the schema.
    pub deprecated: bool,
    /// Documentation lines.
    pub docs: Vec<String>,
    /// Attributes the user asked for (`--attribute`), as written.
    pub attributes: Vec<String>,
    /// Where the property's schema is written (for a merged `allOf`, in
    /// the member that defines it): `diff` names it, selectors match it.
    pub node: NodeRef,
}

/// Whether a property must be present, and how absence and `null` are held.
#[derive(Debug, Clone, PartialEq)]
pub enum Presence {
    /// Must be present, and is never `null`: the field is the value.
    Required,
    /// Must be present, and may be `null`: the field is the (nullable)
    /// value, and a missing property is an error, not `None`.
    RequiredNullable,
    /// May be absent, and is never `null`: `Option<value>`, `None` when
    /// absent (and not written out).
    Optional,
    /// May be absent or `null`, and the two are one (`default: null`, or
    /// the caller merges them): `Option<T>`, `None` for both.
    OptionalNullMerged,
    /// May be absent or `null`, kept apart: `Option<value>` where the value
    /// is nullable, `None` when absent and `Some(None)` when `null`.
    OptionalNullApart,
    /// May be absent, and then takes the schema's `default`: the field is
    /// the value.
    Defaulted(DefaultValue),
    /// May be absent, and stays absent (lossless mode): `Option<value>`,
    /// with the schema's `default` available through an accessor.
    OptionalWithDefault(DefaultValue),
}

impl Field {
    /// Whether the property must be present.
    pub fn is_required(&self) -> bool {
        matches!(
            self.presence,
            Presence::Required | Presence::RequiredNullable
        )
    }

    /// The field's Rust type: the value, in an `Option` where absence is
    /// `None` (a value that already is an `Option` is not wrapped twice
    /// when absent and `null` are merged).
    pub fn ty(&self) -> RustType {
        match &self.presence {
            Presence::Optional | Presence::OptionalNullApart | Presence::OptionalWithDefault(_) => {
                RustType::Option(Box::new(self.value.clone()))
            }
            Presence::OptionalNullMerged => match &self.value {
                RustType::Option(_) => self.value.clone(),
                other => RustType::Option(Box::new(other.clone())),
            },
            Presence::Required | Presence::RequiredNullable | Presence::Defaulted(_) => {
                self.value.clone()
            }
        }
    }

    /// The type inside the field's `Option`, when [`Field::ty`] is written
    /// as an `Option` (and not as an alias of one).
    pub fn option_inner(&self) -> Option<&RustType> {
        match (&self.presence, &self.value) {
            (
                Presence::Optional | Presence::OptionalNullApart | Presence::OptionalWithDefault(_),
                value,
            ) => Some(value),
            (Presence::OptionalNullMerged, RustType::Option(inner)) => Some(inner),
            (Presence::OptionalNullMerged, value) => Some(value),
            (Presence::RequiredNullable | Presence::Defaulted(_), RustType::Option(inner)) => {
                Some(inner)
            }
            _ => None,
        }
    }

    /// The schema's `default`, when the field has one: applied to an
    /// absent property, or offered by an accessor.
    pub fn default(&self) -> Option<&DefaultValue> {
        match &self.presence {
            Presence::Defaulted(value) | Presence::OptionalWithDefault(value) => Some(value),
            _ => None,
        }
    }
}

/// A `default` value, already checked against its field's type.
#[derive(Debug, Clone, PartialEq)]
pub enum DefaultValue {
    /// A string.
    Str(String),
    /// An integer (within the field's width).
    Int(i128),
    /// A number.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// The only value of a constant type.
    Const,
    /// A variant of a string enum: the enum's type and the variant's name.
    Variant(TypeId, String),
    /// `null` for an `Option`.
    Null,
    /// A value inside an `Option`.
    Some(Box<DefaultValue>),
    /// A `Vec`'s items.
    List(Vec<DefaultValue>),
    /// A map's entries, in schema order.
    Map(Vec<(String, DefaultValue)>),
}

/// A one-value string type.
#[derive(Debug, Clone)]
pub struct Const {
    /// The only allowed value.
    pub value: String,
    /// The variant's Rust name.
    pub variant: String,
}

/// A string enum.
#[derive(Debug, Clone)]
pub struct Enum {
    /// Known values, in schema order.
    pub variants: Vec<EnumVariant>,
    /// `Some(name)`: any other string is kept in the variant `name(String)`.
    pub open: Option<String>,
}

/// A [`TypeKind::Tuple`].
#[derive(Debug, Clone)]
pub struct Tuple {
    /// The item types, in order.
    pub items: Vec<RustType>,
    /// How many leading items must be present; the rest are `Option`s,
    /// and an array stops at its first missing item.
    pub required: usize,
}

/// The values of a [`TypeKind::Literals`].
#[derive(Debug, Clone)]
pub struct Literals {
    /// The values, in schema order.
    pub variants: Vec<LiteralVariant>,
}

/// One value of a [`Literals`].
#[derive(Debug, Clone)]
pub struct LiteralVariant {
    /// The Rust variant name.
    pub name: String,
    /// The JSON value.
    pub value: serde_json::Value,
}

/// One known value of an [`Enum`].
#[derive(Debug, Clone)]
pub struct EnumVariant {
    /// The Rust variant name.
    pub name: String,
    /// The JSON string.
    pub value: String,
}

/// A union of struct types told apart by a string property (the tag).
#[derive(Debug, Clone)]
pub struct Union {
    /// The JSON name of the tag property.
    pub tag: String,
    /// The method that returns the tag value.
    pub tag_accessor: String,
    /// The known variants, in schema order.
    pub variants: Vec<UnionVariant>,
    /// The variant that keeps events of unknown tags as raw JSON.
    pub catch_all: String,
    /// Properties every variant requires with the same type: each gets an
    /// accessor on the union, and the catch-all requires them too.
    pub common: Vec<CommonField>,
    /// Properties every variant has (required or not) with the same type:
    /// read straight into typed slots when they come before the tag, so
    /// dispatch does not have to buffer them.
    pub envelope: Vec<CommonField>,
}

/// One variant of a [`Union`].
#[derive(Debug, Clone)]
pub struct UnionVariant {
    /// The Rust variant name.
    pub name: String,
    /// How the member's tag property selects it.
    pub tag: VariantTag,
    /// The Rust name of the member's tag field.
    pub tag_field: String,
    /// The struct it holds.
    pub ty: TypeId,
    /// Documentation lines.
    pub docs: Vec<String>,
}

/// What a union member's tag property is.
#[derive(Debug, Clone, PartialEq)]
pub enum VariantTag {
    /// A constant: the one value that selects the member, which the member
    /// need not store.
    Constant(String),
    /// A closed enum: each of its values (two or more) selects the member,
    /// and the member's field keeps which one was received.
    Enum(Vec<String>),
}

impl VariantTag {
    /// Every tag value that selects the member, the first one first.
    pub fn values(&self) -> &[String] {
        match self {
            VariantTag::Constant(value) => std::slice::from_ref(value),
            VariantTag::Enum(values) => values,
        }
    }
}

/// A property shared by every variant of a [`Union`].
#[derive(Debug, Clone)]
pub struct CommonField {
    /// The Rust field (and accessor) name.
    pub name: String,
    /// The JSON property name.
    pub json_name: String,
    /// Its type (for [`Union::common`]: a string, integer, number or
    /// boolean; for [`Union::envelope`]: any type, without the `Option`
    /// of optional fields).
    pub ty: RustType,
}

/// A reference to a Rust type as it appears in a field.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RustType {
    /// `String`.
    String,
    /// `bool`.
    Bool,
    /// A signed or unsigned integer of the given bit width.
    Int {
        /// Whether it is signed.
        signed: bool,
        /// 8, 16, 32, 64 or 128.
        bits: u16,
    },
    /// `f64` (or `f32` for `bits == 32`).
    Float {
        /// 32 or 64.
        bits: u16,
    },
    /// `serde_json::Value`: any JSON.
    Value,
    /// Any JSON except the given kind (the runtime's `NonObject` or
    /// `NonArray`): the rest of what a schema without `type` accepts
    /// beside the object or array its keywords describe.
    ValueExcept(Container),
    /// `()`: only `null` (`type: "null"`).
    Null,
    /// A generated type.
    Named(TypeId),
    /// `Vec<T>`.
    Vec(Box<RustType>),
    /// `BTreeSet<T>`: an array of unique items (`uniqueItems`, when asked
    /// for), `T` one of the types [`RustType::is_ordered`] accepts.
    Set(Box<RustType>),
    /// `Option<T>`.
    Option(Box<RustType>),
    /// `BTreeMap<String, T>`.
    Map(Box<RustType>),
    /// `Box<T>`, to break recursion.
    Box(Box<RustType>),
    /// `(A, B, …)`: an array of fixed length (`prefixItems`).
    Tuple(Vec<RustType>),
    /// A type the user mapped a `format` to, as a Rust type path
    /// (`chrono::DateTime<chrono::Utc>`), checked by `Config`.
    External(String),
}

/// The two kinds of JSON value that hold others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Container {
    /// A JSON object.
    Object,
    /// A JSON array.
    Array,
}

impl Container {
    /// The JSON Schema `type` name (`object`, `array`).
    pub fn json_type(self) -> &'static str {
        match self {
            Container::Object => "object",
            Container::Array => "array",
        }
    }
}

/// How a [`RustType`] holds a type inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holding {
    /// In place (`Option<T>`, tuples): a type that holds itself this way
    /// would be infinitely large.
    Inline,
    /// Behind an allocation (`Vec<T>`, maps, `Box<T>`).
    Heap,
}

impl RustType {
    /// `i64`, the default integer.
    pub const I64: RustType = RustType::Int {
        signed: true,
        bits: 64,
    };

    /// Calls `visit` for each type directly inside this one, with how it is
    /// held. The one exhaustive match over the shapes of `RustType` that
    /// hold other types: a new kind of type must say here what it holds,
    /// and every analysis that walks types (recursion breaking, boxing,
    /// derivable traits) follows it.
    pub fn for_each_inner<'a>(&'a self, mut visit: impl FnMut(&'a RustType, Holding)) {
        match self {
            RustType::String
            | RustType::Bool
            | RustType::Int { .. }
            | RustType::Float { .. }
            | RustType::Value
            | RustType::ValueExcept(_)
            | RustType::Null
            | RustType::Named(_)
            | RustType::External(_) => {}
            RustType::Option(inner) => visit(inner, Holding::Inline),
            RustType::Tuple(items) => items.iter().for_each(|item| visit(item, Holding::Inline)),
            RustType::Vec(inner)
            | RustType::Set(inner)
            | RustType::Map(inner)
            | RustType::Box(inner) => visit(inner, Holding::Heap),
        }
    }

    /// [`RustType::for_each_inner`], mutably.
    pub fn for_each_inner_mut(&mut self, mut visit: impl FnMut(&mut RustType)) {
        match self {
            RustType::String
            | RustType::Bool
            | RustType::Int { .. }
            | RustType::Float { .. }
            | RustType::Value
            | RustType::ValueExcept(_)
            | RustType::Null
            | RustType::Named(_)
            | RustType::External(_) => {}
            RustType::Option(inner)
            | RustType::Vec(inner)
            | RustType::Set(inner)
            | RustType::Map(inner)
            | RustType::Box(inner) => visit(inner),
            RustType::Tuple(items) => items.iter_mut().for_each(visit),
        }
    }

    /// Whether the type implements `Ord` as generated (and so can be a
    /// `BTreeSet` item): strings, integers and booleans. Generated types do
    /// not derive `Ord`.
    pub fn is_ordered(&self) -> bool {
        matches!(
            self,
            RustType::String | RustType::Int { .. } | RustType::Bool
        )
    }
}
