//! kubeset._codec: decodes JSON straight into kubeset's pydantic models.
//!
//! pydantic-core first parses JSON into a tree of its own and then validates that tree; this
//! module reads the JSON once, with jiter (the parser pydantic-core uses), and builds the very
//! objects pydantic would build (short strings shared through jiter's string cache, as pydantic
//! shares them): the model instance with its `__dict__` (every declared field,
//! in declaration order), `__pydantic_fields_set__`, `__pydantic_extra__` and
//! `__pydantic_private__`.
//!
//! It handles only the canonical wire form that API servers send.  Anything else (a wrong JSON
//! type, an int where a string is expected, a number too large for i64, a time with an offset,
//! a quantity sent as a number, a field under two names, invalid JSON) raises `Fallback`, and
//! the caller (kubeset.serializers) decodes the same bytes with pydantic, which then coerces or
//! reports a ValidationError exactly as it always does.  So this module never decides what is
//! valid: it is a faster route to the same result, tested against pydantic on every fixture.
//!
//! A plan describes the models (built in Python by kubeset.serializers from the pydantic
//! fields): a list of `(class, template dict, {json or attribute name: (attribute, spec)})`
//! where spec is `(kind, sub)`: see `Spec`.
use ahash::AHashMap;
use jiter::{cached_py_string, Jiter, NumberAny, NumberInt, Peek, PythonParse};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDateTime, PyDict, PyList, PySet, PyString, PyTuple, PyTzInfo, PyType};

create_exception!(_codec, Fallback, PyException, "The input is not in canonical form: decode it with pydantic.");

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
}

struct ModelPlan {
    cls: Py<PyType>,
    template: Py<PyDict>,
    fields: AHashMap<String, (Py<PyString>, Spec)>,
}

/// Why the fast route gave up (shown only in the Fallback exception, for debugging).
type R<T> = Result<T, String>;

fn give_up<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

fn spec_of(obj: &Bound<PyAny>) -> PyResult<Spec> {
    let t: &Bound<PyTuple> = obj.downcast()?;
    let kind: i64 = t.get_item(0)?.extract()?;
    Ok(match kind {
        0 => Spec::Str,
        1 => Spec::Int,
        2 => Spec::Bool,
        3 => Spec::Number,
        4 => Spec::Any,
        5 => Spec::Time,
        6 => Spec::Bytes,
        7 => Spec::IntOrStr,
        8 => Spec::Quantity,
        9 => Spec::Model(t.get_item(1)?.extract()?),
        10 => Spec::List(Box::new(spec_of(&t.get_item(1)?)?)),
        11 => Spec::Dict(Box::new(spec_of(&t.get_item(1)?)?)),
        12 => Spec::Float,
        _ => return Err(PyValueError::new_err(format!("unknown field kind {kind}"))),
    })
}

/// A compiled plan: decodes JSON bytes into the plan's root model.
#[pyclass(frozen, module = "kubeset._codec")]
struct Decoder {
    plans: Vec<ModelPlan>,
    root: usize,
    utc: Py<PyTzInfo>,
    b64decode: Py<PyAny>,
    dict_s: Py<PyString>,
    extra_s: Py<PyString>,
    fields_set_s: Py<PyString>,
    private_s: Py<PyString>,
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
            Spec::Str => {
                if peek != Peek::String {
                    return Err("expected a string".into());
                }
                Ok(cached_py_string(py, j.known_str().map_err(give_up)?).into_any())
            }
            Spec::Quantity => {
                if peek != Peek::String {
                    return Err("quantity as a number".into());
                }
                Ok(cached_py_string(py, j.known_str().map_err(give_up)?).into_any())
            }
            Spec::Int => match j.known_int(peek).map_err(give_up)? {
                NumberInt::Int(i) => Ok(i.into_pyobject(py).map_err(give_up)?.into_any()),
                NumberInt::BigInt(_) => Err("integer beyond i64".into()),
            },
            Spec::Bool => match peek {
                Peek::True | Peek::False => Ok(PyBool::new(py, j.known_bool(peek).map_err(give_up)?).to_owned().into_any()),
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
            Spec::IntOrStr => match peek {
                Peek::String => Ok(cached_py_string(py, j.known_str().map_err(give_up)?).into_any()),
                _ => match j.known_int(peek).map_err(give_up)? {
                    NumberInt::Int(i) => Ok(i.into_pyobject(py).map_err(give_up)?.into_any()),
                    NumberInt::BigInt(_) => Err("integer beyond i64".into()),
                },
            },
            Spec::Any => {
                let start = j.current_index();
                j.known_skip(peek).map_err(give_up)?;
                let end = j.current_index();
                PythonParse::default().python_parse(py, &data[start..end]).map_err(give_up)
            }
            Spec::Time => {
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
                    list.append(self.value(py, data, j, item, depth + 1)?).map_err(give_up)?;
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
                    dict.set_item(k, self.value(py, data, j, item, depth + 1)?).map_err(give_up)?;
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

    fn model<'py>(&self, py: Python<'py>, data: &[u8], j: &mut Jiter, index: usize, depth: u32) -> R<Bound<'py, PyAny>> {
        let plan = &self.plans[index];
        let dict = plan.template.bind(py).copy().map_err(give_up)?;
        let fields_set = PySet::empty(py).map_err(give_up)?;
        let extra = PyDict::new(py);
        let mut key = j.known_object().map_err(give_up)?.map(str::to_owned);
        while let Some(k) = key {
            match plan.fields.get(k.as_str()) {
                Some((attr, spec)) => {
                    let attr = attr.bind(py);
                    if fields_set.contains(attr).map_err(give_up)? {
                        return Err("one field under two names".into());
                    }
                    dict.set_item(attr, self.value(py, data, j, spec, depth)?).map_err(give_up)?;
                    fields_set.add(attr).map_err(give_up)?;
                }
                None => {
                    let name = cached_py_string(py, &k);
                    if extra.contains(&name).map_err(give_up)? {
                        return Err("duplicate key".into());
                    }
                    extra.set_item(&name, self.value(py, data, j, &Spec::Any, depth)?).map_err(give_up)?;
                    fields_set.add(name).map_err(give_up)?; // pydantic counts extras as set
                }
            }
            key = j.next_key().map_err(give_up)?.map(str::to_owned);
        }
        // what pydantic-core does for a validated model: allocate, then set the four slots
        // with object.__setattr__ semantics (BaseModel.__setattr__ is bypassed)
        let tp = plan.cls.bind(py).as_type_ptr();
        unsafe {
            let raw = ffi::PyType_GenericAlloc(tp, 0);
            if raw.is_null() {
                return Err(give_up(PyErr::fetch(py)));
            }
            let obj = Bound::from_owned_ptr(py, raw);
            for (name, value) in [
                (&self.dict_s, dict.as_ptr()),
                (&self.extra_s, extra.as_ptr()),
                (&self.fields_set_s, fields_set.as_ptr()),
                (&self.private_s, py.None().as_ptr()),
            ] {
                if ffi::PyObject_GenericSetAttr(obj.as_ptr(), name.as_ptr(), value) != 0 {
                    return Err(give_up(PyErr::fetch(py)));
                }
            }
            Ok(obj)
        }
    }
}

#[pymethods]
impl Decoder {
    /// `Decoder(plans, root, utc, b64decode)`: see the module documentation.
    #[new]
    fn new(py: Python, plans: &Bound<PyList>, root: usize, utc: Bound<PyTzInfo>, b64decode: Bound<PyAny>) -> PyResult<Self> {
        let mut compiled = Vec::with_capacity(plans.len());
        for item in plans.iter() {
            let t: &Bound<PyTuple> = item.downcast()?;
            let cls: Bound<PyType> = t.get_item(0)?.downcast_into()?;
            let template: Bound<PyDict> = t.get_item(1)?.downcast_into()?;
            let fields_obj = t.get_item(2)?;
            let fields_dict: &Bound<PyDict> = fields_obj.downcast()?;
            let mut fields = AHashMap::with_capacity(fields_dict.len());
            for (key, value) in fields_dict.iter() {
                let v: &Bound<PyTuple> = value.downcast()?;
                let attr: Bound<PyString> = v.get_item(0)?.downcast_into()?;
                fields.insert(key.extract::<String>()?, (attr.unbind(), spec_of(&v.get_item(1)?)?));
            }
            compiled.push(ModelPlan { cls: cls.unbind(), template: template.unbind(), fields });
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
            dict_s: PyString::intern(py, "__dict__").unbind(),
            extra_s: PyString::intern(py, "__pydantic_extra__").unbind(),
            fields_set_s: PyString::intern(py, "__pydantic_fields_set__").unbind(),
            private_s: PyString::intern(py, "__pydantic_private__").unbind(),
        })
    }

    /// Decode JSON bytes into the root model; raises `Fallback` for input not in canonical form.
    fn decode<'py>(&self, py: Python<'py>, data: &[u8]) -> PyResult<Bound<'py, PyAny>> {
        let mut j = Jiter::new(data);
        let value = self.value(py, data, &mut j, &Spec::Model(self.root), 0).map_err(Fallback::new_err)?;
        j.finish().map_err(|e| Fallback::new_err(format!("{e:?}")))?;
        if value.is_none() {
            return Err(Fallback::new_err("null document"));
        }
        Ok(value)
    }
}

#[pymodule]
fn _codec(m: &Bound<PyModule>) -> PyResult<()> {
    m.add_class::<Decoder>()?;
    m.add("Fallback", m.py().get_type::<Fallback>())?;
    Ok(())
}
