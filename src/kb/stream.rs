//! Cases read from JSON files while they are parsed: an import of 100,000 cases holds a few
//! hundred entries in memory at a time rather than all of them (and never the files' text).

use std::io::BufReader;
use std::path::PathBuf;

use serde::de::{DeserializeSeed, Error as _, SeqAccess, Visitor};
use tokio::sync::mpsc;

use super::format::CaseEntry;
use super::{FileNames, KbError};

/// How many parsed entries may wait for the database: the bound on the import's memory.
const BUFFER: usize = 256;

/// The cases of some `cases.json` files, in file order, as a parser thread reads them.
pub struct CaseStream {
    receiver: mpsc::Receiver<Result<CaseEntry, KbError>>,
}

impl CaseStream {
    /// Starts reading `paths` (each a JSON list of cases) on a thread of its own, and records
    /// their names in `names` for the loader's messages.
    pub fn read(names: &mut FileNames, paths: Vec<PathBuf>) -> CaseStream {
        for path in &paths {
            names.add(crate::domain::RecordKind::Case, &path.display().to_string());
        }
        let (sender, receiver) = mpsc::channel(BUFFER);
        std::thread::spawn(move || {
            for path in paths {
                if let Err(err) = send_file(&path, &sender) {
                    // The loader stops at this error, or has already stopped.
                    let _ = sender.blocking_send(Err(err));
                    return;
                }
            }
        });
        CaseStream { receiver }
    }

    /// The next case, `None` when every file is read.
    pub async fn next(&mut self) -> Option<Result<CaseEntry, KbError>> {
        self.receiver.recv().await
    }
}

/// Parses one file, sending each case as soon as it is read.
fn send_file(
    path: &std::path::Path,
    sender: &mpsc::Sender<Result<CaseEntry, KbError>>,
) -> Result<(), KbError> {
    let file = path.display().to_string();
    let parse_error = |message: String| KbError::Parse {
        file: file.clone(),
        message,
    };
    let reader = std::fs::File::open(path)
        .map(BufReader::new)
        .map_err(|err| parse_error(format!("cannot read the file: {err}")))?;
    let mut json = serde_json::Deserializer::from_reader(reader);
    SendEach { sender }
        .deserialize(&mut json)
        .and_then(|()| json.end())
        .map_err(|err| parse_error(err.to_string()))
}

/// Deserializes a JSON list (or `null`) by sending its elements one by one.
struct SendEach<'a> {
    sender: &'a mpsc::Sender<Result<CaseEntry, KbError>>,
}

impl<'de> DeserializeSeed<'de> for SendEach<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for SendEach<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of cases")
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0;
        loop {
            let entry = seq
                .next_element::<CaseEntry>()
                .map_err(|err| A::Error::custom(format!("entry {}: {err}", index + 1)))?;
            let Some(entry) = entry else {
                return Ok(());
            };
            if self.sender.blocking_send(Ok(entry)).is_err() {
                return Ok(()); // the loader stopped: nothing more is wanted
            }
            index += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn read_all(json: &str) -> Vec<Result<CaseEntry, KbError>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cases.json");
        std::fs::write(&path, json).unwrap();
        let mut stream = CaseStream::read(&mut FileNames::default(), vec![path]);
        let mut all = Vec::new();
        while let Some(entry) = stream.next().await {
            all.push(entry);
        }
        all
    }

    const CASE: &str = r#"{"slug": "a", "title": {"zh": "甲", "en": "A"}, "citations": []}"#;

    #[tokio::test]
    async fn every_case_arrives_in_order() {
        let cases = read_all(&format!("[{CASE}, {}]", CASE.replace("\"a\"", "\"b\""))).await;
        let slugs: Vec<String> = cases.into_iter().map(|c| c.unwrap().slug).collect();
        assert_eq!(slugs, ["a", "b"]);
        assert!(read_all("null").await.is_empty());
    }

    #[tokio::test]
    async fn a_broken_entry_is_named_by_its_position() {
        let cases = read_all(&format!("[{CASE}, {{\"slug\": 3}}]")).await;
        assert!(cases[0].is_ok());
        let message = cases[1].as_ref().unwrap_err().to_string();
        assert!(
            message.contains("cases.json") && message.contains("entry 2"),
            "{message}"
        );
    }
}
