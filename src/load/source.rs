//! Where data files may be and what they may be: inside the data directory, regular files, and
//! no larger than a limit that holds while a file is read.

use super::{LoadError, Manifest};
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// The largest data file read when no limit is given (`--max-file-mb`): 1 GiB.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 1 << 30;

/// What the manifest's file paths may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceRules {
    /// Whether a path may be absolute or lead out of the data directory (`..` or a symbolic
    /// link); off by default (`--allow-outside-data-dir`).
    pub allow_outside_data_dir: bool,
    /// The largest file read, in bytes (`--max-file-mb`).
    pub max_file_bytes: u64,
}

impl Default for SourceRules {
    fn default() -> SourceRules {
        SourceRules {
            allow_outside_data_dir: false,
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
        }
    }
}

impl SourceRules {
    /// Checks every file the manifest names before any is read: the data files (layers,
    /// metrics, matrices, indicator metadata, framework groups) must resolve inside `data_dir`,
    /// and the semantics table inside the manifest's own folder, after symbolic links are
    /// followed; each must be a regular file within the size limit. The first problem is an
    /// error naming the manifest entry and the path it gives.
    pub fn check(
        &self,
        manifest: &Manifest,
        manifest_path: &Path,
        data_dir: &Path,
    ) -> Result<(), LoadError> {
        for (whose, file) in manifest.named_files() {
            self.check_file(manifest_path, data_dir, &whose, file, "the data directory")?;
        }
        let manifest_dir = manifest_path.parent().unwrap_or(Path::new("."));
        let manifest_dir = if manifest_dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            manifest_dir
        };
        self.check_file(
            manifest_path,
            manifest_dir,
            "semantics",
            &manifest.semantics,
            "the manifest's folder",
        )
    }

    fn check_file(
        &self,
        manifest_path: &Path,
        root: &Path,
        whose: &str,
        file: &Path,
        root_name: &str,
    ) -> Result<(), LoadError> {
        let refuse = |why: String| LoadError::Manifest {
            path: manifest_path.to_path_buf(),
            message: format!("{whose}: file '{}' {why}", file.display()),
        };
        let allow = " (start the server with --allow-outside-data-dir to permit it)";
        if !self.allow_outside_data_dir && file.is_absolute() {
            return Err(refuse(format!(
                "is an absolute path; paths are relative to {root_name}{allow}"
            )));
        }
        let path = root.join(file);
        let io = |source| LoadError::Io {
            path: path.clone(),
            source,
        };
        if !self.allow_outside_data_dir {
            let real_root = root.canonicalize().map_err(|source| LoadError::Io {
                path: root.to_path_buf(),
                source,
            })?;
            let real = path.canonicalize().map_err(io)?;
            if !real.starts_with(&real_root) {
                let how = if file.components().any(|c| c == Component::ParentDir) {
                    "through '..'"
                } else {
                    "through a symbolic link"
                };
                return Err(refuse(format!("leads out of {root_name} {how}{allow}")));
            }
        }
        let metadata = std::fs::metadata(&path).map_err(io)?;
        check_metadata(&path, &metadata, self.max_file_bytes)
    }
}

/// A regular file within `limit` bytes, or the error saying what it is instead.
fn check_metadata(path: &Path, metadata: &std::fs::Metadata, limit: u64) -> Result<(), LoadError> {
    let refuse = |problem: String| LoadError::Table {
        path: path.to_path_buf(),
        problem,
    };
    if !metadata.is_file() {
        return Err(refuse(format!(
            "not a regular file but {}; data files must be regular files",
            kind_of(&metadata.file_type())
        )));
    }
    if metadata.len() > limit {
        return Err(refuse(too_large(metadata.len(), limit)));
    }
    Ok(())
}

fn too_large(bytes: u64, limit: u64) -> String {
    format!("{bytes} bytes, over the limit of {limit} bytes a data file may have (--max-file-mb)")
}

fn kind_of(file_type: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a directory"
    } else {
        "not a file"
    }
}

/// Reads a whole file, refusing one that is not a regular file once opened (so a path swapped
/// for a FIFO or a device after it was checked is still refused) and stopping past `limit`
/// bytes, however much the file says it holds or grows while it is read.
pub fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, LoadError> {
    let io = |source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = open_nonblocking(path).map_err(io)?;
    let metadata = file.metadata().map_err(io)?;
    check_metadata(path, &metadata, limit)?;
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(LoadError::Table {
            path: path.to_path_buf(),
            problem: format!(
                "grew past the limit of {limit} bytes while being read (--max-file-mb)"
            ),
        });
    }
    Ok(bytes)
}

/// Opens `path` for reading without waiting: a FIFO with no writer (or a device) opens at once
/// instead of blocking the reader for ever, and the caller's `fstat` then refuses it. On a
/// regular file the flag changes nothing.
pub fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// As [`read_bounded`], for the file `relative` under `root` and no other: one that leads out
/// of `root` (`..` or a symbolic link) is refused.
pub fn read_regular_under(root: &Path, relative: &Path, limit: u64) -> Result<Vec<u8>, LoadError> {
    let path = root.join(relative);
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| LoadError::Io { path, source }
    };
    let real_root = root.canonicalize().map_err(io(root))?;
    let real = path.canonicalize().map_err(io(&path))?;
    if !real.starts_with(&real_root) {
        return Err(LoadError::Table {
            path,
            problem: "leads out of its folder".into(),
        });
    }
    read_bounded(&real, limit)
}

/// As [`read_bounded`], as UTF-8 text.
pub fn read_text_bounded(path: &Path, limit: u64) -> Result<String, LoadError> {
    String::from_utf8(read_bounded(path, limit)?).map_err(|e| LoadError::Table {
        path: path.to_path_buf(),
        problem: format!(
            "not UTF-8 text: invalid byte at offset {}",
            e.utf8_error().valid_up_to()
        ),
    })
}

/// A path relative to one of `roots` (the first it lies under), for messages the public sees;
/// a path under none is shown by its file name only.
pub fn relative_to(path: &Path, roots: &[PathBuf]) -> PathBuf {
    roots
        .iter()
        .find_map(|root| path.strip_prefix(root).ok())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| {
            path.file_name()
                .map_or_else(|| PathBuf::from("(a file)"), PathBuf::from)
        })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("smartspec-source-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn reads_a_file_within_the_limit_and_refuses_one_over_it() {
        let dir = scratch("limit");
        let path = dir.join("a.csv");
        std::fs::write(&path, b"0123456789").unwrap();
        assert_eq!(read_bounded(&path, 10).unwrap(), b"0123456789");
        let err = read_bounded(&path, 9).unwrap_err().to_string();
        assert!(
            err.ends_with(
                "a.csv: 10 bytes, over the limit of 9 bytes a data file may have (--max-file-mb)"
            ),
            "{err}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_refused_when_opened_without_reading_it() {
        // /dev/zero never ends: reading it would fill memory. It is refused from its metadata.
        let err = read_bounded(Path::new("/dev/zero"), DEFAULT_MAX_FILE_BYTES)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "/dev/zero: not a regular file but a character device; data files must be regular files"
        );
    }

    #[test]
    fn public_paths_are_relative_or_a_bare_file_name() {
        let roots = [PathBuf::from("/srv/data")];
        assert_eq!(
            relative_to(Path::new("/srv/data/metrics/lep.csv"), &roots),
            PathBuf::from("metrics/lep.csv")
        );
        assert_eq!(
            relative_to(Path::new("/etc/passwd"), &roots),
            PathBuf::from("passwd")
        );
    }
}
