//! The rest of JSON: what a schema without `type` accepts besides the
//! object (or array) its keywords describe.
//!
//! JSON Schema applies `properties`, `required` and the like only to
//! objects, and `items` only to arrays: `{"properties": {...}}` accepts a
//! string as it is. The generator reads such a schema as an enum of the
//! object's struct and [`NonObject`] (or the array and [`NonArray`]), so
//! that every document the schema accepts is read, and an object is never
//! taken for "something else" when it does not fit the struct.

use serde::{de::Error as _, Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

macro_rules! other_than {
    ($(#[doc = $doc:literal])* $name:ident, $json_type:literal, $kind:literal, $is:ident) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name(Value);

        impl $name {
            #[doc = concat!("`value`, if it is not ", $kind, ".")]
            pub fn new(value: Value) -> Option<Self> {
                (!value.$is()).then_some(Self(value))
            }

            /// The value.
            pub fn get(&self) -> &Value {
                &self.0
            }

            /// The value, taken out.
            pub fn into_inner(self) -> Value {
                self.0
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                self.0.serialize(serializer)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = Value::deserialize(deserializer)?;
                Self::new(value).ok_or_else(|| {
                    D::Error::custom(concat!("expected any JSON value but ", $kind))
                })
            }
        }

        #[cfg(feature = "schemars")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({ "not": { "type": $json_type } })
            }
        }
    };
}

other_than!(
    /// Any JSON value except an object.
    NonObject,
    "object",
    "an object",
    is_object
);

other_than!(
    /// Any JSON value except an array.
    NonArray,
    "array",
    "an array",
    is_array
);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_refuses_only_its_own_kind() {
        for value in [json!(1), json!("a"), json!(null), json!(true), json!([1])] {
            let read: NonObject = serde_json::from_value(value.clone()).unwrap();
            assert_eq!(serde_json::to_value(&read).unwrap(), value);
        }
        let err = serde_json::from_value::<NonObject>(json!({"a": 1})).unwrap_err();
        assert_eq!(err.to_string(), "expected any JSON value but an object");
        assert!(serde_json::from_value::<NonArray>(json!({"a": 1})).is_ok());
        assert!(serde_json::from_value::<NonArray>(json!([])).is_err());
        assert_eq!(NonArray::new(json!(2)).unwrap().into_inner(), json!(2));
        assert!(NonArray::new(json!([2])).is_none());
    }
}
