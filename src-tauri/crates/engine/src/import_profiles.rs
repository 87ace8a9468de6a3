//! Saved import mappings: found again by the file's header fingerprint, listed, renamed,
//! deleted, and moved between machines as small JSON files.
//!
//! A profile's `mapping_json` is a [`MappingProfileFile`] (name aside): the header row it was
//! made for and the wire mapping. Keeping the header lets a profile imported from a file be
//! filed under the right fingerprint without the spreadsheet at hand.

use casebridge_import::mapping::header_fingerprint;
use casebridge_store::{MappingProfile, NewMappingProfile};

use crate::api::{ImportMapping, MappingProfileFile, MappingProfileSummary};
use crate::{Engine, EngineError};

const FORMAT_VERSION: u32 = 1;

/// What the profile table stores per profile.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Stored {
    headers: Vec<String>,
    mapping: ImportMapping,
}

fn stored(profile: &MappingProfile) -> Result<Stored, EngineError> {
    serde_json::from_value(profile.mapping.clone()).map_err(|source| EngineError::CorruptCache {
        what: format!("the mapping profile “{}”", profile.name),
        source,
    })
}

pub(crate) fn stored_mapping(profile: &MappingProfile) -> Result<ImportMapping, EngineError> {
    stored(profile).map(|s| s.mapping)
}

pub(crate) fn summary(profile: &MappingProfile) -> MappingProfileSummary {
    MappingProfileSummary {
        id: profile.id,
        name: profile.name.clone(),
        header_fingerprint: profile.header_fingerprint.clone(),
        headers: stored(profile).map(|s| s.headers).unwrap_or_default(),
        created_at: profile.created_at.to_rfc3339(),
        updated_at: profile.updated_at.to_rfc3339(),
    }
}

fn profile_file(profile: MappingProfile) -> Result<MappingProfileFile, EngineError> {
    let s = stored(&profile)?;
    Ok(MappingProfileFile {
        casebridge_mapping_profile: FORMAT_VERSION,
        name: profile.name,
        headers: s.headers,
        mapping: s.mapping,
    })
}

fn profile_name(name: &str) -> Result<String, EngineError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(EngineError::InvalidInput {
            field: "name",
            reason: "a profile name has 1 to 100 characters".into(),
        });
    }
    Ok(name.to_owned())
}

fn new_profile(
    name: String,
    headers: Vec<String>,
    mapping: ImportMapping,
) -> Result<NewMappingProfile, EngineError> {
    let fingerprint = header_fingerprint(&headers);
    Ok(NewMappingProfile {
        name,
        header_fingerprint: fingerprint.as_str().to_owned(),
        mapping: serde_json::to_value(Stored { headers, mapping })
            .map_err(|source| EngineError::Serialize { source })?,
    })
}

/// A saved profile by id; unknown ids are "not found".
fn saved_profile(store: &casebridge_store::Store, id: i64) -> Result<MappingProfile, EngineError> {
    Ok(store
        .get_mapping_profile(id)?
        .ok_or(casebridge_store::StoreError::NotFound {
            what: "mapping profile",
            id: id.to_string(),
        })?)
}

impl Engine {
    /// Saves `mapping` for files with this header row, replacing a profile of the same name.
    pub async fn save_mapping_profile(
        &self,
        name: String,
        headers: Vec<String>,
        mapping: ImportMapping,
    ) -> Result<MappingProfileSummary, EngineError> {
        let name = profile_name(&name)?;
        let now = self.clock().now();
        self.with_store(move |store| {
            let new = new_profile(name, headers, mapping)?;
            let existing = store
                .list_mapping_profiles()?
                .into_iter()
                .find(|p| p.name == new.name);
            let saved = match existing {
                Some(p) => store.update_mapping_profile(p.id, &new, now)?,
                None => store.create_mapping_profile(&new, now)?,
            };
            Ok(summary(&saved))
        })
        .await
    }

    /// Every saved profile, most recently used first.
    pub async fn list_mapping_profiles(&self) -> Result<Vec<MappingProfileSummary>, EngineError> {
        self.with_store(|store| Ok(store.list_mapping_profiles()?.iter().map(summary).collect()))
            .await
    }

    /// Renames a profile. Errors: unknown id, or the name belongs to another profile.
    pub async fn rename_mapping_profile(
        &self,
        id: i64,
        name: String,
    ) -> Result<MappingProfileSummary, EngineError> {
        let name = profile_name(&name)?;
        let now = self.clock().now();
        self.with_store(move |store| {
            let profile = saved_profile(store, id)?;
            let renamed = NewMappingProfile {
                name,
                header_fingerprint: profile.header_fingerprint,
                mapping: profile.mapping,
            };
            Ok(summary(&store.update_mapping_profile(id, &renamed, now)?))
        })
        .await
    }

    /// A saved profile by its name, as it would be exported.
    pub async fn mapping_profile_by_name(
        &self,
        name: &str,
    ) -> Result<MappingProfileFile, EngineError> {
        let name = name.trim().to_owned();
        self.with_store(move |store| {
            let profile = store
                .list_mapping_profiles()?
                .into_iter()
                .find(|p| p.name == name)
                .ok_or(casebridge_store::StoreError::NotFound {
                    what: "mapping profile",
                    id: name,
                })?;
            profile_file(profile)
        })
        .await
    }

    /// Deletes a profile; `false` if there was none.
    pub async fn delete_mapping_profile(&self, id: i64) -> Result<bool, EngineError> {
        self.with_store(move |store| Ok(store.delete_mapping_profile(id)?))
            .await
    }

    /// Writes a profile to a JSON file another Casebridge can import.
    pub async fn export_mapping_profile(&self, id: i64, path: String) -> Result<(), EngineError> {
        self.with_store(move |store| {
            let profile = saved_profile(store, id)?;
            let file = profile_file(profile)?;
            let json = serde_json::to_vec_pretty(&file)
                .map_err(|source| EngineError::Serialize { source })?;
            std::fs::write(&path, json).map_err(|source| EngineError::ImportFile { path, source })
        })
        .await
    }

    /// Reads a profile JSON file and saves it (replacing a profile of the same name).
    pub async fn import_mapping_profile(
        &self,
        path: String,
    ) -> Result<MappingProfileSummary, EngineError> {
        let bytes = tokio::fs::read(&path)
            .await
            .map_err(|source| EngineError::ImportFile {
                path: path.clone(),
                source,
            })?;
        let file: MappingProfileFile =
            serde_json::from_slice(&bytes).map_err(|source| EngineError::ProfileFile {
                path: path.clone(),
                reason: source.to_string(),
            })?;
        if file.casebridge_mapping_profile != FORMAT_VERSION {
            return Err(EngineError::ProfileFile {
                path,
                reason: format!(
                    "format version {} is not one this Casebridge reads",
                    file.casebridge_mapping_profile
                ),
            });
        }
        self.save_mapping_profile(file.name, file.headers, file.mapping)
            .await
    }
}
