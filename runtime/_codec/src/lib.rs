//! kubeset._codec: decodes JSON straight into kubeset's pydantic models, and writes them back.
//!
//! `Encoder` writes what pydantic's `to_json(by_alias=True, exclude_unset=True)` writes (under
//! kubeset's rule for values created on read), byte for byte (see its documentation below);
//! `Decoder` is described here.
//!
//! pydantic-core first parses JSON into a tree of its own and then validates that tree; this
//! module reads the JSON once, with jiter (the parser pydantic-core uses), and builds the very
//! objects pydantic would build (short strings shared through jiter's string cache, as pydantic
//! shares them), laid out sparsely (kubeset.model.sparse): the model instance with its
//! `__dict__` holding the fields that were sent only, in the order they came,
//! `__pydantic_fields_set__` left `None` (the set fields are the keys of `__dict__` and of the
//! extras; kubeset makes the set from them when asked), `__pydantic_extra__` (`None` until an
//! unknown field comes) and `__pydantic_private__`.
//!
//! It handles only the canonical wire form that API servers send.  Anything else (a wrong JSON
//! type, an int where a string is expected, a number too large for i64, a time with an offset,
//! a quantity sent as a number, a field under two names, invalid JSON) raises `Fallback`, and
//! the caller (kubeset.codec.native) decodes the same bytes with pydantic, which then coerces or
//! reports a ValidationError exactly as it always does.  So this module never decides what is
//! valid: it is a faster route to the same result, tested against pydantic on every fixture.
//!
//! A plan describes the models (built in Python by kubeset.codec.plan from the pydantic
//! fields): a list of `(class, {json or attribute name: (attribute, spec)}, [(attribute, json
//! name), ...])` where spec is `(Kind, sub)`: see `Kind` and `Spec`.
use ahash::AHashMap;
use jiter::{cached_py_string, Jiter, NumberAny, NumberInt, Peek, PythonParse};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyBytes, PyDateAccess, PyDateTime, PyDict, PyList, PyString, PyTimeAccess, PyTuple, PyType, PyTzInfo,
    PyTzInfoAccess,
};
use smallvec::SmallVec;

mod spans;

create_exception!(
    _codec,
    Fallback,
    PyException,
    "The input is not in canonical form: decode it with pydantic."
);

/// Deeper documents (recursive schemas such as JSONSchemaProps) go to pydantic and its own limits.
const MAX_DEPTH: u32 = 200;

#[derive(Clone)]
enum Spec {
    Str,
    Int,
    Bool,
    Number,
    Any,
    Time,
    Bytes,
    IntOrStr,
    Quantity,
    Model(usize),
    List(Box<Spec>),
    Dict(Box<Spec>),
    Float,
    MicroTime,
    RawJson,
}

struct ModelPlan {
    cls: Py<PyType>,
    fields: AHashMap<String, (Py<PyString>, Spec)>,
}

/// Why the fast route gave up (shown only in the Fallback exception, for debugging).
type R<T> = Result<T, String>;

fn give_up<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

/// The kind of a field's value in a plan: the one definition of the field kinds.  Python sees
/// it as `kubeset._codec.Kind` (`Kind.STR`, `Kind.LIST`, ...), and kubeset.codec.plan names the
/// kinds through it; a plan's spec is `(Kind, sub)`: see `Spec` for what `sub` is.
#[pyclass(eq, hash, frozen, module = "kubeset._codec")]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    #[pyo3(name = "STR")]
    Str,
    #[pyo3(name = "INT")]
    Int,
    #[pyo3(name = "BOOL")]
    Bool,
    /// `int | float`
    #[pyo3(name = "NUMBER")]
    Number,
    /// any JSON value, kept as is
    #[pyo3(name = "ANY")]
    Any,
    #[pyo3(name = "TIME")]
    Time,
    /// base64 text on the wire, bytes in Python
    #[pyo3(name = "BYTES")]
    Bytes,
    #[pyo3(name = "INT_OR_STR")]
    IntOrStr,
    #[pyo3(name = "QUANTITY")]
    Quantity,
    /// sub: the index of the model's plan
    #[pyo3(name = "MODEL")]
    Model,
    /// sub: the items' spec
    #[pyo3(name = "LIST")]
    List,
    /// sub: the values' spec (keys are strings)
    #[pyo3(name = "DICT")]
    Dict,
    #[pyo3(name = "FLOAT")]
    Float,
    #[pyo3(name = "MICRO_TIME")]
    MicroTime,
    /// a JSON object kept as its bytes (`kubeset.model.FieldsV1`: the `raw_json` type)
    #[pyo3(name = "RAW_JSON")]
    RawJson,
}

fn spec_of(obj: &Bound<PyAny>) -> PyResult<Spec> {
    let t: &Bound<PyTuple> = obj.downcast()?;
    let kind: Kind = t.get_item(0)?.extract()?;
    Ok(match kind {
        Kind::Str => Spec::Str,
        Kind::Int => Spec::Int,
        Kind::Bool => Spec::Bool,
        Kind::Number => Spec::Number,
        Kind::Any => Spec::Any,
        Kind::Time => Spec::Time,
        Kind::Bytes => Spec::Bytes,
        Kind::IntOrStr => Spec::IntOrStr,
        Kind::Quantity => Spec::Quantity,
        Kind::Model => Spec::Model(t.get_item(1)?.extract()?),
        Kind::List => Spec::List(Box::new(spec_of(&t.get_item(1)?)?)),
        Kind::Dict => Spec::Dict(Box::new(spec_of(&t.get_item(1)?)?)),
        Kind::Float => Spec::Float,
        Kind::MicroTime => Spec::MicroTime,
        Kind::RawJson => Spec::RawJson,
    })
}

/// The Python type of raw JSON values (`kubeset.model.FieldsV1`) and the offsets of its two
/// slots: `_raw` (the bytes, or None once parsed) and `_parsed` (None until parsed).
struct RawJsonType {
    cls: Py<PyType>,
    raw_at: isize,
    parsed_at: isize,
}

impl RawJsonType {
    fn of(cls: Option<Bound<PyType>>) -> PyResult<Option<Self>> {
        let Some(cls) = cls else { return Ok(None) };
        Ok(Some(RawJsonType {
            raw_at: slot_offset(cls.as_any(), "_raw")?,
            parsed_at: slot_offset(cls.as_any(), "_parsed")?,
            cls: cls.unbind(),
        }))
    }
}

/// A compiled plan: decodes JSON bytes into the plan's root model.
#[pyclass(frozen, module = "kubeset._codec")]
struct Decoder {
    plans: Vec<ModelPlan>,
    root: usize,
    utc: Py<PyTzInfo>,
    b64decode: Py<PyAny>,
    raw_json: Option<RawJsonType>,
    dict_s: Py<PyString>,
    /// offsets of BaseModel's slots `__pydantic_fields_set__`, `__pydantic_extra__`,
    /// `__pydantic_private__`
    slots: [isize; 3],
}

impl Decoder {
    fn value<'py>(&self, py: Python<'py>, data: &[u8], j: &mut Jiter, spec: &Spec, depth: u32) -> R<Bound<'py, PyAny>> {
        if depth > MAX_DEPTH {
            return Err("nested too deeply".into());
        }
        let peek = j.peek().map_err(give_up)?;
        if peek == Peek::Null {
            j.known_null().map_err(give_up)?;
            return Ok(py.None().into_bound(py));
        }
        match spec {
            // a quantity sent as a number is pydantic's to turn into text
            Spec::Str | Spec::Quantity => {
                if peek != Peek::String {
                    return Err("expected a string".into());
                }
                Ok(cached_py_string(py, j.known_str().map_err(give_up)?).into_any())
            }
            Spec::Int => match j.known_int(peek).map_err(give_up)? {
                NumberInt::Int(i) => Ok(i.into_pyobject(py).map_err(give_up)?.into_any()),
                NumberInt::BigInt(_) => Err("integer beyond i64".into()),
            },
            Spec::Bool => match peek {
                Peek::True | Peek::False => Ok(PyBool::new(py, j.known_bool(peek).map_err(give_up)?)
                    .to_owned()
                    .into_any()),
                _ => Err("expected a bool".into()),
            },
            Spec::Number => match j.known_number(peek).map_err(give_up)? {
                NumberAny::Int(NumberInt::Int(i)) => Ok(i.into_pyobject(py).map_err(give_up)?.into_any()),
                NumberAny::Float(f) => Ok(f.into_pyobject(py).map_err(give_up)?.into_any()),
                NumberAny::Int(NumberInt::BigInt(_)) => Err("integer beyond i64".into()),
            },
            Spec::Float => match j.known_number(peek).map_err(give_up)? {
                NumberAny::Float(f) => Ok(f.into_pyobject(py).map_err(give_up)?.into_any()),
                _ => Err("int for a float field".into()),
            },
            Spec::IntOrStr => {
                let either = if peek == Peek::String { Spec::Str } else { Spec::Int };
                self.value(py, data, j, &either, depth)
            }
            Spec::Any => {
                let start = j.current_index();
                j.known_skip(peek).map_err(give_up)?;
                let end = j.current_index();
                PythonParse::default()
                    .python_parse(py, &data[start..end])
                    .map_err(give_up)
            }
            Spec::RawJson => {
                let raw = self.raw_json.as_ref().ok_or("no raw JSON type")?;
                if peek != Peek::Object {
                    return Err("expected an object".into());
                }
                let start = j.current_index();
                j.known_skip(peek).map_err(give_up)?;
                let bytes = PyBytes::new(py, &data[start..j.current_index()]);
                // FieldsV1.from_raw without the call: allocate, fill the two slots
                unsafe {
                    let obj = ffi::PyType_GenericAlloc(raw.cls.bind(py).as_type_ptr(), 0);
                    if obj.is_null() {
                        return Err(give_up(PyErr::fetch(py)));
                    }
                    let obj = Bound::from_owned_ptr(py, obj);
                    for (offset, value) in [(raw.raw_at, bytes.into_ptr()), (raw.parsed_at, ffi::Py_None())] {
                        if value == ffi::Py_None() {
                            ffi::Py_INCREF(value);
                        }
                        let at = obj.as_ptr().cast::<u8>().offset(offset).cast::<*mut ffi::PyObject>();
                        let old = std::ptr::replace(at, value);
                        ffi::Py_XDECREF(old); // NULL: the allocation zeroes the slots
                    }
                    Ok(obj)
                }
            }
            Spec::Time | Spec::MicroTime => {
                if peek != Peek::String {
                    return Err("expected a time string".into());
                }
                let text = j.known_str().map_err(give_up)?;
                self.utc_time(py, text)
            }
            Spec::Bytes => {
                if peek != Peek::String {
                    return Err("expected base64 text".into());
                }
                let text = j.known_str().map_err(give_up)?;
                self.b64decode.bind(py).call1((text,)).map_err(give_up)
            }
            Spec::Model(index) => {
                if peek != Peek::Object {
                    return Err("expected an object".into());
                }
                self.model(py, data, j, *index, depth + 1)
            }
            Spec::List(item) => {
                if peek != Peek::Array {
                    return Err("expected an array".into());
                }
                let list = PyList::empty(py);
                let mut next = j.known_array().map_err(give_up)?;
                while next.is_some() {
                    list.append(self.value(py, data, j, item, depth + 1)?)
                        .map_err(give_up)?;
                    next = j.array_step().map_err(give_up)?;
                }
                Ok(list.into_any())
            }
            Spec::Dict(item) => {
                if peek != Peek::Object {
                    return Err("expected an object".into());
                }
                let dict = PyDict::new(py);
                let mut key = j.known_object().map_err(give_up)?.map(|k| cached_py_string(py, k));
                while let Some(k) = key {
                    if dict.contains(&k).map_err(give_up)? {
                        return Err("duplicate key".into());
                    }
                    dict.set_item(k, self.value(py, data, j, item, depth + 1)?)
                        .map_err(give_up)?;
                    key = j.next_key().map_err(give_up)?.map(|k| cached_py_string(py, k));
                }
                Ok(dict.into_any())
            }
        }
    }

    /// `YYYY-MM-DDTHH:MM:SS[.f{1,6}]Z` as an aware datetime in pydantic's UTC tzinfo.
    fn utc_time<'py>(&self, py: Python<'py>, text: &str) -> R<Bound<'py, PyAny>> {
        let b = text.as_bytes();
        let digits = |at: usize, n: usize| -> R<u32> {
            let mut v = 0u32;
            for &c in b.get(at..at + n).ok_or("short time")? {
                if !c.is_ascii_digit() {
                    return Err("not a digit".into());
                }
                v = v * 10 + u32::from(c - b'0');
            }
            Ok(v)
        };
        if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
            return Err("not an RFC 3339 time".into());
        }
        let mut pos = 19;
        let mut micro = 0u32;
        if b[pos] == b'.' {
            let start = pos + 1;
            pos = start;
            while pos < b.len() && b[pos].is_ascii_digit() {
                pos += 1;
            }
            let n = pos - start;
            if n == 0 || n > 6 {
                return Err("fraction digits".into());
            }
            micro = digits(start, n)? * 10u32.pow(6 - n as u32);
        }
        if pos + 1 != b.len() || b[pos] != b'Z' {
            return Err("time not in UTC 'Z' form".into());
        }
        let dt = PyDateTime::new(
            py,
            digits(0, 4)? as i32,
            digits(5, 2)? as u8,
            digits(8, 2)? as u8,
            digits(11, 2)? as u8,
            digits(14, 2)? as u8,
            digits(17, 2)? as u8,
            micro,
            Some(self.utc.bind(py)),
        )
        .map_err(give_up)?;
        Ok(dt.into_any())
    }

    fn model<'py>(
        &self,
        py: Python<'py>,
        data: &[u8],
        j: &mut Jiter,
        index: usize,
        depth: u32,
    ) -> R<Bound<'py, PyAny>> {
        let plan = &self.plans[index];
        let dict = PyDict::new(py);
        let mut extra: Option<Bound<PyDict>> = None; // made for the first unknown key
        let mut key = j.known_object().map_err(give_up)?.map(str::to_owned);
        while let Some(k) = key {
            match plan.fields.get(k.as_str()) {
                Some((attr, spec)) => {
                    let attr = attr.bind(py);
                    if dict.contains(attr).map_err(give_up)? {
                        return Err("one field under two names".into());
                    }
                    dict.set_item(attr, self.value(py, data, j, spec, depth)?)
                        .map_err(give_up)?;
                }
                None => {
                    let name = cached_py_string(py, &k);
                    let extra = extra.get_or_insert_with(|| PyDict::new(py));
                    if extra.contains(&name).map_err(give_up)? {
                        return Err("duplicate key".into());
                    }
                    extra
                        .set_item(&name, self.value(py, data, j, &Spec::Any, depth)?)
                        .map_err(give_up)?;
                }
            }
            key = j.next_key().map_err(give_up)?.map(str::to_owned);
        }
        // what pydantic-core does for a validated model: allocate, then set `__dict__` with
        // object.__setattr__ semantics (BaseModel.__setattr__ is bypassed); the three slots are
        // written in place (KubeModel's fields-set descriptor is not a setter to go through)
        let tp = plan.cls.bind(py).as_type_ptr();
        unsafe {
            let raw = ffi::PyType_GenericAlloc(tp, 0);
            if raw.is_null() {
                return Err(give_up(PyErr::fetch(py)));
            }
            let obj = Bound::from_owned_ptr(py, raw);
            if ffi::PyObject_GenericSetAttr(raw, self.dict_s.as_ptr(), dict.as_ptr()) != 0 {
                return Err(give_up(PyErr::fetch(py)));
            }
            let [fields_set_at, extra_at, private_at] = self.slots;
            let extra = extra.as_ref().map_or(ffi::Py_None(), |e| e.as_ptr());
            for (offset, value) in [
                (fields_set_at, ffi::Py_None()),
                (extra_at, extra),
                (private_at, ffi::Py_None()),
            ] {
                let at = raw.cast::<u8>().offset(offset).cast::<*mut ffi::PyObject>();
                ffi::Py_INCREF(value);
                let old = std::ptr::replace(at, value);
                ffi::Py_XDECREF(old); // NULL: the allocation zeroes the slots
            }
            Ok(obj)
        }
    }
}

#[pymethods]
impl Decoder {
    /// `Decoder(plans, root, utc, b64decode, base, raw_json=None)`: see the module
    /// documentation; `base` is pydantic's BaseModel, whose slots the decoder fills; `raw_json`
    /// the type of `RAW_JSON` fields.
    #[new]
    #[pyo3(signature = (plans, root, utc, b64decode, base, raw_json=None))]
    fn new(
        py: Python,
        plans: &Bound<PyList>,
        root: usize,
        utc: Bound<PyTzInfo>,
        b64decode: Bound<PyAny>,
        base: Bound<PyAny>,
        raw_json: Option<Bound<PyType>>,
    ) -> PyResult<Self> {
        let mut compiled = Vec::with_capacity(plans.len());
        for item in plans.iter() {
            let t: &Bound<PyTuple> = item.downcast()?;
            let cls: Bound<PyType> = t.get_item(0)?.downcast_into()?;
            if !cls.is_subclass(&base)? {
                return Err(PyValueError::new_err("a plan class is not a BaseModel"));
            }
            let fields_obj = t.get_item(1)?;
            let fields_dict: &Bound<PyDict> = fields_obj.downcast()?;
            let mut fields = AHashMap::with_capacity(fields_dict.len());
            for (key, value) in fields_dict.iter() {
                let v: &Bound<PyTuple> = value.downcast()?;
                let attr: Bound<PyString> = v.get_item(0)?.downcast_into()?;
                fields.insert(key.extract::<String>()?, (attr.unbind(), spec_of(&v.get_item(1)?)?));
            }
            compiled.push(ModelPlan {
                cls: cls.unbind(),
                fields,
            });
        }
        if root >= compiled.len() {
            return Err(PyValueError::new_err("root is not a plan index"));
        }
        for plan in &compiled {
            for (_, spec) in plan.fields.values() {
                let mut s = spec;
                while let Spec::List(inner) | Spec::Dict(inner) = s {
                    s = inner;
                }
                if let Spec::Model(i) = s {
                    if *i >= compiled.len() {
                        return Err(PyValueError::new_err("a field refers to a missing plan"));
                    }
                }
            }
        }
        Ok(Decoder {
            plans: compiled,
            root,
            utc: utc.unbind(),
            b64decode: b64decode.unbind(),
            raw_json: RawJsonType::of(raw_json)?,
            dict_s: PyString::intern(py, "__dict__").unbind(),
            slots: [
                slot_offset(&base, "__pydantic_fields_set__")?,
                slot_offset(&base, "__pydantic_extra__")?,
                slot_offset(&base, "__pydantic_private__")?,
            ],
        })
    }

    /// Decode JSON bytes into the root model; raises `Fallback` for input not in canonical form.
    fn decode<'py>(&self, py: Python<'py>, data: &[u8]) -> PyResult<Bound<'py, PyAny>> {
        let mut j = Jiter::new(data);
        let value = self
            .value(py, data, &mut j, &Spec::Model(self.root), 0)
            .map_err(Fallback::new_err)?;
        j.finish().map_err(|e| Fallback::new_err(format!("{e:?}")))?;
        if value.is_none() {
            return Err(Fallback::new_err("null document"));
        }
        Ok(value)
    }

    /// The elements of the root model's list field `key` lying at `bounds` in `data` (element
    /// `i` is `data[bounds[2 i]..bounds[2 i + 1]]`, spans found by `array_spans`), decoded as the
    /// whole document's decode decodes them there (kubeset.codec.chunked); `Fallback` as `decode`.
    fn decode_elements<'py>(
        &self,
        py: Python<'py>,
        data: &[u8],
        key: &str,
        bounds: Vec<usize>,
    ) -> PyResult<Bound<'py, PyList>> {
        let item = match self.plans[self.root].fields.get(key) {
            Some((_, Spec::List(item))) => item,
            _ => return Err(Fallback::new_err("not a list field of the root model")),
        };
        let list = PyList::empty(py);
        for span in bounds.chunks_exact(2) {
            let element = data
                .get(span[0]..span[1])
                .ok_or_else(|| PyValueError::new_err("a span outside the data"))?;
            let mut j = Jiter::new(element);
            // the depth an element of the root's list is decoded at: root 1, list 2
            let value = self.value(py, element, &mut j, item, 2).map_err(Fallback::new_err)?;
            j.finish().map_err(|e| Fallback::new_err(format!("{e:?}")))?;
            list.append(value)?;
        }
        Ok(list)
    }
}

// ---------------------------------------------------------------- encoding

/// One model class for the encoder: its declared fields in declaration order.
struct EncodePlan {
    cls: Py<PyType>,
    /// (attribute, `"jsonName":` bytes, spec) in declaration order
    fields: Vec<(Py<PyString>, Vec<u8>, Spec)>,
    /// attribute string pointer -> index in `fields` (the keys of `__dict__` are these objects)
    by_ptr: AHashMap<usize, usize>,
    /// attribute name -> index, for a `__dict__` holding equal but other string objects
    by_name: AHashMap<String, usize>,
}

/// Writes models as `to_json(by_alias=True, exclude_unset=True)` writes them, byte for byte,
/// under kubeset's writing rule (kubeset.model.lazy and kubeset.model.sparse).
///
/// Declared fields that were set, in declaration order (whatever the order of `__dict__`), then
/// every extra; unset values created on read once they are not empty.  A value of a type its
/// field does not declare, a float that needs an exponent, a time not in UTC, a string that is
/// not valid UTF-8: `Fallback`, and kubeset.codec encodes with pydantic instead.
#[pyclass(frozen, module = "kubeset._codec")]
struct Encoder {
    plans: Vec<EncodePlan>,
    root: usize,
    utc: Py<PyTzInfo>,
    fields_set_offset: isize,
    extra_offset: isize,
    raw_json: Option<RawJsonType>,
    /// the size of the last output: the next buffer starts that large
    size_hint: std::sync::atomic::AtomicUsize,
}

/// Whether any of the 8 bytes of `w` needs escaping in a JSON string: below 0x20, '"' or '\\'.
#[inline]
fn needs_escape(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let below_space = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
    (below_space | has_zero(w ^ (ONES * u64::from(b'"'))) | has_zero(w ^ (ONES * u64::from(b'\\')))) != 0
}

/// A JSON string as serde_json (and so pydantic) writes it: `"` `\\` and control characters
/// escaped (`\n` `\r` `\t` `\b` `\f`, others as `\u00XX`), everything else as UTF-8.
fn write_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if i + 8 <= bytes.len() {
            let w = u64::from_le_bytes(bytes[i..i + 8].try_into().expect("8 bytes"));
            if !needs_escape(w) {
                i += 8;
                continue;
            }
        }
        let c = bytes[i];
        let esc: &[u8] = match c {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => b"",
            _ => {
                i += 1;
                continue;
            }
        };
        out.extend_from_slice(&bytes[start..i]);
        if esc.is_empty() {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[(c >> 4) as usize]);
            out.push(HEX[(c & 0xf) as usize]);
        } else {
            out.extend_from_slice(esc);
        }
        i += 1;
        start = i;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

fn push_num(out: &mut Vec<u8>, v: u32, width: usize) {
    let mut buf = [b'0'; 10];
    let mut n = v;
    for k in (0..width).rev() {
        buf[k] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    out.extend_from_slice(&buf[..width]);
}

impl Encoder {
    fn str_of<'a>(obj: &'a Bound<PyAny>) -> R<&'a str> {
        if unsafe { ffi::PyUnicode_CheckExact(obj.as_ptr()) } == 0 {
            return Err("not a str".into());
        }
        obj.downcast::<PyString>().map_err(give_up)?.to_str().map_err(give_up)
    }

    fn write_int(out: &mut Vec<u8>, obj: &Bound<PyAny>) -> R<()> {
        if unsafe { ffi::PyLong_CheckExact(obj.as_ptr()) } == 0 {
            return Err("not an int".into());
        }
        let mut overflow = 0;
        let v = unsafe { ffi::PyLong_AsLongLongAndOverflow(obj.as_ptr(), &mut overflow) };
        if overflow != 0 {
            return Err("int beyond i64".into());
        }
        push_i64(out, v);
        Ok(())
    }

    fn write_float(out: &mut Vec<u8>, obj: &Bound<PyAny>) -> R<()> {
        let v = unsafe { ffi::PyFloat_AsDouble(obj.as_ptr()) };
        if !v.is_finite() {
            return Err("inf or nan".into());
        }
        let mut buf = ryu::Buffer::new();
        let text = buf.format_finite(v);
        if text.contains('e') {
            return Err("float with an exponent".into());
        }
        out.extend_from_slice(text.as_bytes());
        Ok(())
    }

    fn write_time(&self, py: Python, out: &mut Vec<u8>, obj: &Bound<PyAny>, micro: bool) -> R<()> {
        if unsafe { ffi::PyDateTime_CheckExact(obj.as_ptr()) } == 0 {
            return Err("not a datetime".into());
        }
        let dt: &Bound<PyDateTime> = obj.downcast().map_err(give_up)?;
        let year = dt.get_year();
        if !(1000..=9999).contains(&year) {
            return Err("year outside 1000-9999".into());
        }
        let suffix: &[u8] = match dt.get_tzinfo() {
            None => b"",
            Some(tz) => {
                if !tz.is(self.utc.bind(py)) {
                    let offset = dt.call_method0("utcoffset").map_err(give_up)?;
                    if offset.is_none() || offset.is_truthy().map_err(give_up)? {
                        return Err("time not in UTC".into());
                    }
                }
                b"Z"
            }
        };
        out.push(b'"');
        push_num(out, year as u32, 4);
        out.push(b'-');
        push_num(out, u32::from(dt.get_month()), 2);
        out.push(b'-');
        push_num(out, u32::from(dt.get_day()), 2);
        out.push(b'T');
        push_num(out, u32::from(dt.get_hour()), 2);
        out.push(b':');
        push_num(out, u32::from(dt.get_minute()), 2);
        out.push(b':');
        push_num(out, u32::from(dt.get_second()), 2);
        let us = dt.get_microsecond();
        if micro || us != 0 {
            out.push(b'.');
            push_num(out, us, 6);
        }
        out.extend_from_slice(suffix);
        out.push(b'"');
        Ok(())
    }

    fn write_any(&self, py: Python, out: &mut Vec<u8>, obj: &Bound<PyAny>, depth: u32) -> R<()> {
        if depth > MAX_DEPTH {
            return Err("nested too deeply".into());
        }
        let p = obj.as_ptr();
        unsafe {
            if obj.is_none() {
                out.extend_from_slice(b"null");
            } else if p == ffi::Py_True() {
                out.extend_from_slice(b"true");
            } else if p == ffi::Py_False() {
                out.extend_from_slice(b"false");
            } else if ffi::PyUnicode_CheckExact(p) != 0 {
                write_str(out, Self::str_of(obj)?);
            } else if ffi::PyLong_CheckExact(p) != 0 {
                Self::write_int(out, obj)?;
            } else if ffi::PyFloat_CheckExact(p) != 0 {
                Self::write_float(out, obj)?;
            } else if ffi::PyList_CheckExact(p) != 0 || ffi::PyDict_CheckExact(p) != 0 {
                self.write_container(py, out, obj, &Spec::Any, depth)?;
            } else {
                return Err("a value pydantic would infer".into());
            }
        }
        Ok(())
    }

    /// A `RAW_JSON` value: a `FieldsV1`'s bytes as they are (its parsed value once it was read
    /// through the Mapping), or the plain JSON value a user assigned.
    fn write_raw_json(&self, py: Python, out: &mut Vec<u8>, obj: &Bound<PyAny>, depth: u32) -> R<()> {
        let Some(raw) = &self.raw_json else {
            return self.write_any(py, out, obj, depth);
        };
        if !obj.get_type().is(raw.cls.bind(py)) {
            return self.write_any(py, out, obj, depth);
        }
        unsafe {
            let base = obj.as_ptr().cast::<u8>();
            let bytes = *base.offset(raw.raw_at).cast::<*mut ffi::PyObject>();
            if !bytes.is_null() && ffi::PyBytes_CheckExact(bytes) != 0 {
                let b = Bound::from_borrowed_ptr(py, bytes);
                out.extend_from_slice(b.downcast::<PyBytes>().map_err(give_up)?.as_bytes());
                return Ok(());
            }
            let parsed = *base.offset(raw.parsed_at).cast::<*mut ffi::PyObject>();
            if parsed.is_null() {
                return Err("a FieldsV1 without a value".into());
            }
            self.write_any(py, out, &Bound::from_borrowed_ptr(py, parsed), depth)
        }
    }

    fn write(&self, py: Python, out: &mut Vec<u8>, obj: &Bound<PyAny>, spec: &Spec, depth: u32) -> R<()> {
        if obj.is_none() {
            out.extend_from_slice(b"null");
            return Ok(());
        }
        if depth > MAX_DEPTH {
            return Err("nested too deeply".into());
        }
        let p = obj.as_ptr();
        match spec {
            Spec::Str | Spec::Quantity => write_str(out, Self::str_of(obj)?),
            Spec::Int => Self::write_int(out, obj)?,
            Spec::Bool => {
                if p == unsafe { ffi::Py_True() } {
                    out.extend_from_slice(b"true");
                } else if p == unsafe { ffi::Py_False() } {
                    out.extend_from_slice(b"false");
                } else {
                    return Err("not a bool".into());
                }
            }
            Spec::Number => {
                if unsafe { ffi::PyFloat_CheckExact(p) } != 0 {
                    Self::write_float(out, obj)?;
                } else {
                    Self::write_int(out, obj)?;
                }
            }
            Spec::Float => {
                if unsafe { ffi::PyFloat_CheckExact(p) } == 0 {
                    return Err("not a float".into());
                }
                Self::write_float(out, obj)?;
            }
            Spec::IntOrStr => {
                if unsafe { ffi::PyUnicode_CheckExact(p) } != 0 {
                    write_str(out, Self::str_of(obj)?);
                } else {
                    Self::write_int(out, obj)?;
                }
            }
            Spec::Time => self.write_time(py, out, obj, false)?,
            Spec::MicroTime => self.write_time(py, out, obj, true)?,
            Spec::Bytes => {
                if unsafe { ffi::PyBytes_CheckExact(p) } == 0 {
                    return Err("not bytes".into());
                }
                use base64::Engine;
                out.push(b'"');
                let raw = obj.downcast::<PyBytes>().map_err(give_up)?.as_bytes();
                let at = out.len();
                out.resize(at + raw.len().div_ceil(3) * 4, 0);
                let n = base64::engine::general_purpose::STANDARD
                    .encode_slice(raw, &mut out[at..])
                    .map_err(give_up)?;
                out.truncate(at + n);
                out.push(b'"');
            }
            Spec::Any => self.write_any(py, out, obj, depth)?,
            Spec::RawJson => self.write_raw_json(py, out, obj, depth)?,
            Spec::Model(index) => self.model(py, out, obj, *index, depth + 1)?,
            Spec::List(item) => {
                if unsafe { ffi::PyList_CheckExact(p) } == 0 {
                    return Err("not a list".into());
                }
                self.write_container(py, out, obj, item, depth)?;
            }
            Spec::Dict(item) => {
                if unsafe { ffi::PyDict_CheckExact(p) } == 0 {
                    return Err("not a dict".into());
                }
                self.write_container(py, out, obj, item, depth)?;
            }
        }
        Ok(())
    }

    /// An exact list or dict whose items are `item`s.
    fn write_container(&self, py: Python, out: &mut Vec<u8>, obj: &Bound<PyAny>, item: &Spec, depth: u32) -> R<()> {
        if let Ok(list) = obj.downcast::<PyList>() {
            out.push(b'[');
            for (i, v) in list.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                self.write(py, out, &v, item, depth + 1)?;
            }
            out.push(b']');
        } else {
            out.push(b'{');
            self.write_entries(py, out, obj.downcast::<PyDict>().map_err(give_up)?, item, depth, true)?;
            out.push(b'}');
        }
        Ok(())
    }

    /// `"key":value` pairs of a dict with str keys, comma-separated (a leading comma unless `first`).
    fn write_entries(
        &self,
        py: Python,
        out: &mut Vec<u8>,
        dict: &Bound<PyDict>,
        item: &Spec,
        depth: u32,
        mut first: bool,
    ) -> R<()> {
        for (k, v) in dict.iter() {
            if !first {
                out.push(b',');
            }
            first = false;
            write_str(out, Self::str_of(&k)?);
            out.push(b':');
            self.write(py, out, &v, item, depth + 1)?;
        }
        Ok(())
    }

    fn model(&self, py: Python, out: &mut Vec<u8>, obj: &Bound<PyAny>, index: usize, depth: u32) -> R<()> {
        let plan = &self.plans[index];
        if !obj.get_type().is(plan.cls.bind(py)) {
            return Err("not the field's model class".into());
        }
        let dict = unsafe {
            let at = _PyObject_GetDictPtr(obj.as_ptr());
            if at.is_null() || (*at).is_null() {
                return Err("no __dict__".into());
            }
            Bound::from_borrowed_ptr(py, *at)
        };
        let fields_set = self.slot(obj, self.fields_set_offset)?;
        let extra = self.slot(obj, self.extra_offset)?;
        // a sparse instance (kubeset.model.sparse): its fields set are its __dict__'s keys
        let sparse = fields_set == unsafe { ffi::Py_None() };
        // The dict, the set and the extras are three allocations away from the instance: ask for
        // all three at once (their cache misses overlap), then for the dict's key table.
        prefetch(dict.as_ptr().cast());
        prefetch(fields_set.cast());
        prefetch(extra.cast());
        unsafe {
            if ffi::PyDict_CheckExact(dict.as_ptr()) == 0 || !(sparse || ffi::PySet_CheckExact(fields_set) != 0) {
                return Err("__dict__ or fields_set of another type".into());
            }
            let keys = (*dict.as_ptr().cast::<ffi::PyDictObject>()).ma_keys.cast::<u8>();
            for line in 0..4 {
                prefetch(keys.wrapping_add(line * 64));
            }
        }
        // __dict__'s entries with their declared index and whether they are set; written in
        // declaration order whatever the order of __dict__ (the wire's, for a decoded instance)
        let mut entries: SmallVec<[(usize, Bound<PyAny>, bool); 24]> = SmallVec::new();
        let mut in_order = true;
        {
            let mut cursor = 0usize;
            let mut pos: ffi::Py_ssize_t = 0;
            let mut key: *mut ffi::PyObject = std::ptr::null_mut();
            let mut value: *mut ffi::PyObject = std::ptr::null_mut();
            unsafe {
                while ffi::PyDict_Next(dict.as_ptr(), &mut pos, &mut key, &mut value) != 0 {
                    let index = if cursor < plan.fields.len() && plan.fields[cursor].0.as_ptr() == key {
                        cursor
                    } else if let Some(&i) = plan.by_ptr.get(&(key as usize)) {
                        i
                    } else {
                        let k = Bound::from_borrowed_ptr(py, key);
                        *plan
                            .by_name
                            .get(Self::str_of(&k)?)
                            .ok_or("a key of __dict__ that is no field")?
                    };
                    cursor = index + 1;
                    let set = sparse || {
                        let found = ffi::PySet_Contains(fields_set, key);
                        if found < 0 {
                            return Err(give_up(PyErr::fetch(py)));
                        }
                        found == 1
                    };
                    if !set && value == ffi::Py_None() {
                        continue; // absent in pydantic's full layout
                    }
                    if let Some((last, _, _)) = entries.last() {
                        in_order &= *last < index;
                    }
                    entries.push((index, Bound::from_borrowed_ptr(py, value), set));
                }
            }
        }
        if !in_order {
            entries.sort_unstable_by_key(|e| e.0);
        }
        out.push(b'{');
        let mut written = 0usize;
        for (index, value, set) in &entries {
            let (_, json_key, spec) = &plan.fields[*index];
            if !set {
                // -- Go-shaped fields (kubeset.model.lazy): an unset value created on read is
                // written once it is not empty: a list or dict with items, a model that writes
                // anything; other unset values are not
                let p = value.as_ptr();
                let is_model = matches!(spec, Spec::Model(_));
                unsafe {
                    if ffi::PyList_CheckExact(p) != 0 || ffi::PyDict_CheckExact(p) != 0 {
                        if ffi::PyObject_Length(p) == 0 {
                            continue;
                        }
                    } else if !is_model {
                        continue;
                    }
                }
                let mark = out.len();
                if written > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(json_key);
                let start = out.len();
                self.write(py, out, value, spec, depth)?;
                if is_model && out[start..] == *b"{}" {
                    out.truncate(mark);
                } else {
                    written += 1;
                }
                continue; // -- end of Go-shaped fields
            }
            if written > 0 {
                out.push(b',');
            }
            out.extend_from_slice(json_key);
            self.write(py, out, value, spec, depth)?;
            written += 1;
        }
        if extra != unsafe { ffi::Py_None() } {
            let extra = unsafe { Bound::from_borrowed_ptr(py, extra) };
            let extra = extra.downcast::<PyDict>().map_err(give_up)?;
            self.write_entries(py, out, extra, &Spec::Any, depth, written == 0)?;
        }
        out.push(b'}');
        Ok(())
    }

    /// A BaseModel slot (`__pydantic_fields_set__`, `__pydantic_extra__`), borrowed.
    fn slot(&self, obj: &Bound<PyAny>, offset: isize) -> R<*mut ffi::PyObject> {
        let value = unsafe { *(obj.as_ptr().cast::<u8>().offset(offset).cast::<*mut ffi::PyObject>()) };
        if value.is_null() {
            return Err("a pydantic slot is not set".into());
        }
        Ok(value)
    }
}

/// The offset of a `__slots__` member of `cls` (a member_descriptor of an object slot).
fn slot_offset(cls: &Bound<PyAny>, name: &str) -> PyResult<isize> {
    let descr = cls.getattr("__dict__")?.get_item(name)?;
    unsafe {
        if ffi::Py_TYPE(descr.as_ptr()) != std::ptr::addr_of_mut!(ffi::PyMemberDescr_Type) {
            return Err(PyValueError::new_err(format!("{name} is not a slot")));
        }
        let member = (*descr.as_ptr().cast::<ffi::PyMemberDescrObject>())
            .d_member
            .cast::<ffi::PyMemberDef>();
        if (*member).type_code != ffi::Py_T_OBJECT_EX {
            return Err(PyValueError::new_err(format!("{name} is not an object slot")));
        }
        Ok((*member).offset)
    }
}

fn push_i64(out: &mut Vec<u8>, v: i64) {
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    let mut n = v.unsigned_abs();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&buf[at..]);
}

#[inline(always)]
fn prefetch(at: *const u8) {
    #[cfg(target_arch = "x86_64")]
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(at.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = at;
}

extern "C" {
    /// CPython's own: where an object's `__dict__` pointer lives (NULL when it has none).
    fn _PyObject_GetDictPtr(obj: *mut ffi::PyObject) -> *mut *mut ffi::PyObject;
}

#[pymethods]
impl Encoder {
    /// `Encoder(plans, root, utc, base, raw_json=None)`: the decoder's plans (each plan's
    /// declared fields in order are its third item: `[(attribute, json name), ...]`); `base` is
    /// pydantic's BaseModel, whose slots hold fields_set and the extras; `raw_json` the type of
    /// `RAW_JSON` fields, whose bytes are written as they are.
    #[new]
    #[pyo3(signature = (plans, root, utc, base, raw_json=None))]
    fn new(
        plans: &Bound<PyList>,
        root: usize,
        utc: Bound<PyTzInfo>,
        base: Bound<PyAny>,
        raw_json: Option<Bound<PyType>>,
    ) -> PyResult<Self> {
        let mut compiled = Vec::with_capacity(plans.len());
        for item in plans.iter() {
            let t: &Bound<PyTuple> = item.downcast()?;
            let cls: Bound<PyType> = t.get_item(0)?.downcast_into()?;
            let fields_obj = t.get_item(1)?;
            let specs: &Bound<PyDict> = fields_obj.downcast()?;
            let order_obj = t.get_item(2)?;
            let order: &Bound<PyList> = order_obj.downcast()?;
            let mut fields = Vec::with_capacity(order.len());
            let mut by_ptr = AHashMap::with_capacity(order.len());
            let mut by_name = AHashMap::with_capacity(order.len());
            for (i, pair) in order.iter().enumerate() {
                let pair: &Bound<PyTuple> = pair.downcast()?;
                let attr: Bound<PyString> = pair.get_item(0)?.downcast_into()?;
                let json_name: String = pair.get_item(1)?.extract()?;
                let entry = specs
                    .get_item(&attr)?
                    .ok_or_else(|| PyValueError::new_err("a field without a spec"))?;
                let spec = spec_of(&entry.downcast::<PyTuple>()?.get_item(1)?)?;
                let mut key = Vec::with_capacity(json_name.len() + 3);
                write_str(&mut key, &json_name);
                key.push(b':');
                by_ptr.insert(attr.as_ptr() as usize, i);
                by_name.insert(attr.to_str()?.to_owned(), i);
                fields.push((attr.unbind(), key, spec));
            }
            compiled.push(EncodePlan {
                cls: cls.unbind(),
                fields,
                by_ptr,
                by_name,
            });
        }
        if root >= compiled.len() {
            return Err(PyValueError::new_err("root is not a plan index"));
        }
        for plan in &compiled {
            if !plan.cls.bind(plans.py()).is_subclass(&base)? {
                return Err(PyValueError::new_err("a plan class is not a BaseModel"));
            }
        }
        Ok(Encoder {
            plans: compiled,
            root,
            utc: utc.unbind(),
            fields_set_offset: slot_offset(&base, "__pydantic_fields_set__")?,
            extra_offset: slot_offset(&base, "__pydantic_extra__")?,
            raw_json: RawJsonType::of(raw_json)?,
            size_hint: std::sync::atomic::AtomicUsize::new(4096),
        })
    }

    /// The JSON bytes of a model of the root class; raises `Fallback` for what it does not write.
    fn encode<'py>(&self, py: Python<'py>, obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyBytes>> {
        use std::sync::atomic::Ordering;
        let mut out = Vec::with_capacity(self.size_hint.load(Ordering::Relaxed).clamp(4096, 16 << 20));
        self.model(py, &mut out, obj, self.root, 0).map_err(Fallback::new_err)?;
        self.size_hint.store(out.len() + out.len() / 8, Ordering::Relaxed);
        Ok(PyBytes::new(py, &out))
    }
}

// ---------------------------------------------------------------- field descriptors

/// A declared field's class attribute (kubeset.model.sparse): `None` from an instance whose
/// `__dict__` lacks the field (not a data descriptor: a value in `__dict__` comes first); from
/// the class, the pydantic field itself.
#[pyclass(frozen, module = "kubeset._codec")]
struct AbsentField {
    name: Py<PyString>,
    fields_s: Py<PyString>,
}

/// The pydantic field `name` of `owner` (a class attribute read from the class: pydantic looks
/// class attributes up when it collects a subclass's fields).
fn field_info<'py>(
    py: Python<'py>,
    owner: Option<Bound<'py, PyAny>>,
    fields_s: &Py<PyString>,
    name: &Py<PyString>,
) -> PyResult<Bound<'py, PyAny>> {
    let owner = owner.ok_or_else(|| PyValueError::new_err("no owner class"))?;
    owner.getattr(fields_s.bind(py))?.get_item(name.bind(py))
}

#[pymethods]
impl AbsentField {
    #[new]
    fn new(py: Python, name: Bound<PyString>) -> PyResult<Self> {
        Ok(AbsentField {
            name: PyString::intern(py, name.to_str()?).unbind(),
            fields_s: PyString::intern(py, "__pydantic_fields__").unbind(),
        })
    }

    #[getter]
    fn name(&self, py: Python) -> Py<PyString> {
        self.name.clone_ref(py)
    }

    fn __get__<'py>(
        &self,
        py: Python<'py>,
        obj: Option<Bound<'py, PyAny>>,
        owner: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        match obj.filter(|o| !o.is_none()) {
            Some(_) => Ok(py.None().into_bound(py)),
            None => field_info(py, owner, &self.fields_s, &self.name),
        }
    }
}

/// The compiled form of a Go-shaped field's data descriptor (kubeset.model.lazy): reading gives
/// the value in the instance's `__dict__` unless it is absent or None, and only then calls
/// `missing(obj)` (Python: creates the empty value and keeps it); `set(obj, name, value)` and
/// `delete(obj, name)` are Python's too.  From the class it gives the pydantic field itself.
#[pyclass(frozen, module = "kubeset._codec")]
struct LazyField {
    name: Py<PyString>,
    missing: Py<PyAny>,
    set: Py<PyAny>,
    delete: Py<PyAny>,
    fields_s: Py<PyString>,
}

#[pymethods]
impl LazyField {
    #[new]
    fn new(
        py: Python,
        name: Bound<PyString>,
        missing: Bound<PyAny>,
        set: Bound<PyAny>,
        delete: Bound<PyAny>,
    ) -> PyResult<Self> {
        Ok(LazyField {
            name: PyString::intern(py, name.to_str()?).unbind(),
            missing: missing.unbind(),
            set: set.unbind(),
            delete: delete.unbind(),
            fields_s: PyString::intern(py, "__pydantic_fields__").unbind(),
        })
    }

    #[getter]
    fn name(&self, py: Python) -> Py<PyString> {
        self.name.clone_ref(py)
    }

    fn __get__<'py>(
        &self,
        py: Python<'py>,
        obj: Option<Bound<'py, PyAny>>,
        owner: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let Some(obj) = obj.filter(|o| !o.is_none()) else {
            return field_info(py, owner, &self.fields_s, &self.name);
        };
        unsafe {
            let at = _PyObject_GetDictPtr(obj.as_ptr());
            if !at.is_null() && !(*at).is_null() {
                let value = ffi::PyDict_GetItemWithError(*at, self.name.as_ptr());
                if !value.is_null() && value != ffi::Py_None() {
                    return Ok(Bound::from_borrowed_ptr(py, value));
                }
                if value.is_null() && !ffi::PyErr_Occurred().is_null() {
                    return Err(PyErr::fetch(py));
                }
            }
        }
        self.missing.bind(py).call1((obj,))
    }

    fn __set__(&self, py: Python, obj: Bound<PyAny>, value: Bound<PyAny>) -> PyResult<()> {
        self.set.bind(py).call1((obj, self.name.bind(py), value))?;
        Ok(())
    }

    fn __delete__(&self, py: Python, obj: Bound<PyAny>) -> PyResult<()> {
        self.delete.bind(py).call1((obj, self.name.bind(py)))?;
        Ok(())
    }
}

/// `(apiVersion, kind)` of a JSON object (None for one it lacks; the last one when repeated),
/// skipping every other value without building it; `Fallback` when `data` is not one JSON object.
#[pyfunction]
fn head<'py>(py: Python<'py>, data: &[u8]) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    let fail = |e: jiter::JiterError| Fallback::new_err(format!("{e:?}"));
    let mut j = Jiter::new(data);
    let (mut api_version, mut kind) = (py.None().into_bound(py), py.None().into_bound(py));
    if j.peek().map_err(fail)? != Peek::Object {
        return Err(Fallback::new_err("not a JSON object"));
    }
    let mut key = j.known_object().map_err(fail)?.map(str::to_owned);
    while let Some(k) = key {
        if k == "apiVersion" || k == "kind" {
            let start = j.current_index();
            j.next_skip().map_err(fail)?;
            let raw = &data[start..j.current_index()];
            let value = PythonParse::default()
                .python_parse(py, raw)
                .map_err(|e| Fallback::new_err(format!("{e:?}")))?;
            if k == "kind" {
                kind = value;
            } else {
                api_version = value;
            }
        } else {
            j.next_skip().map_err(fail)?;
        }
        key = j.next_key().map_err(fail)?.map(str::to_owned);
    }
    j.finish().map_err(fail)?;
    Ok((api_version, kind))
}

/// `(start, end, bounds)` of the array `key` of the JSON object `data` (kubeset.codec.spans):
/// `data[start:end]` is the array, element `i` is `data[bounds[2*i]:bounds[2*i+1]]`; `None`
/// when the scanner does not find exactly one such array in one well-formed object.  Runs with
/// the GIL released.
#[pyfunction]
fn array_spans(py: Python, data: &[u8], key: &str) -> Option<spans::Spans> {
    py.allow_threads(|| spans::array_spans(data, key.as_bytes()))
}

#[pymodule]
fn _codec(m: &Bound<PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(head, m)?)?;
    m.add_function(wrap_pyfunction!(array_spans, m)?)?;
    m.add_class::<Decoder>()?;
    m.add_class::<Encoder>()?;
    m.add_class::<Kind>()?;
    m.add_class::<LazyField>()?;
    m.add_class::<AbsentField>()?;
    m.add("Fallback", m.py().get_type::<Fallback>())?;
    Ok(())
}
