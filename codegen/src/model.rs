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
    /// A union dispatched on a string property of every variant.
    Union(Union),
    /// A union without a tag: the first member that parses wins.
    Untagged(Untagged),
    /// A name for another type (`pub type Name = Target;`).
    Alias(RustType),
    /// A serde-transparent tuple struct around a type
    /// (`pub struct Name(pub Target);`): what an alias becomes when it
    /// would refer to itself (`Tree = Vec<Tree>`), which Rust aliases cannot.
    Newtype(RustType),
}

/// A union serde tells apart by trying each member in order.
#[derive(Debug, Clone)]
pub struct Untagged {
    /// The members, in schema order.
    pub variants: Vec<UntaggedVariant>,
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
    /// The field's type; optional fields are already wrapped in `Option`.
    pub ty: RustType,
    /// Whether the property must be present.
    pub required: bool,
    /// Marked `deprecated: true` in the schema.
    pub deprecated: bool,
    /// Documentation lines.
    pub docs: Vec<String>,
    /// The schema's `default` for an optional property, when it fits the
    /// type: an absent property deserializes to it.
    pub default: Option<DefaultValue>,
    /// An optional property that may also be `null`, with absent and `null`
    /// kept apart: `ty` is `Option<Option<T>>` (or `Option` of an alias of
    /// `Option<T>`), `None` when absent and `Some(None)` when `null`.
    pub null_apart: bool,
    /// The property may be `null` (whatever its Rust type became).
    pub nullable: bool,
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
    /// The tag value that selects it.
    pub tag_value: String,
    /// Further tag values that select it (a member whose tag property is an
    /// enum rather than a constant).
    pub other_tag_values: Vec<String>,
    /// The Rust name of the member's tag field.
    pub tag_field: String,
    /// The struct it holds.
    pub ty: TypeId,
    /// Documentation lines.
    pub docs: Vec<String>,
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
    /// A generated type.
    Named(TypeId),
    /// `Vec<T>`.
    Vec(Box<RustType>),
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
            | RustType::Named(_)
            | RustType::External(_) => {}
            RustType::Option(inner) => visit(inner, Holding::Inline),
            RustType::Tuple(items) => items.iter().for_each(|item| visit(item, Holding::Inline)),
            RustType::Vec(inner) | RustType::Map(inner) | RustType::Box(inner) => {
                visit(inner, Holding::Heap)
            }
        }
    }
}
