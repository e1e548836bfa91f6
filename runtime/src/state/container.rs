//! Containers: the id derived from a thread's cgroups and the metadata that
//! container meta events (old `container` events, container JSON events)
//! carry in captures.

use serde_json::Value as Json;

/// Metadata of one container, from a container meta event.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Container {
    /// Short id (12 hex characters).
    pub id: String,
    /// Full id when known.
    pub full_id: String,
    /// Name.
    pub name: String,
    /// Image as written (`repo:tag`).
    pub image: String,
    /// Image id.
    pub image_id: String,
    /// Image repository.
    pub image_repository: String,
    /// Image tag.
    pub image_tag: String,
    /// Image digest.
    pub image_digest: String,
    /// Runtime type (`docker`, `cri-o`, ...).
    pub kind: String,
    /// Privileged container, when the metadata says.
    pub privileged: Option<bool>,
    /// Container IP.
    pub ip: String,
    /// Labels, `key:value` items.
    pub labels: Vec<(String, String)>,
}

fn is_hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The container a cgroup path belongs to: the first path component that,
/// once the runtime's decorations are stripped (`docker-…​.scope`,
/// `crio-…`, `cri-containerd-…`, `libpod-…`), is a 64-hex-digit id. Returns
/// the 12-character short id.
pub fn id_from_cgroup(path: &str) -> Option<&str> {
    for comp in path.split('/') {
        let c = comp.strip_suffix(".scope").unwrap_or(comp);
        if c.starts_with("crio-conmon-") {
            continue;
        }
        let c = ["docker-", "crio-", "cri-containerd-", "libpod-", "containerd-"]
            .iter()
            .find_map(|p| c.strip_prefix(p))
            .unwrap_or(c);
        if is_hex64(c) {
            return Some(&c[..12]);
        }
    }
    None
}

/// The container id of a thread with these cgroups (`host` when none
/// matches).
pub fn id_from_cgroups<'a>(cgroups: impl IntoIterator<Item = &'a str>) -> String {
    cgroups
        .into_iter()
        .find_map(id_from_cgroup)
        .map_or_else(|| "host".to_string(), str::to_string)
}

fn text(v: &Json, key: &str) -> String {
    match v.get(key) {
        Some(Json::String(s)) => s.clone(),
        Some(Json::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn type_name(v: Option<&Json>) -> String {
    match v {
        Some(Json::String(s)) => s.clone(),
        Some(Json::Number(n)) => match n.as_u64() {
            Some(0) => "docker",
            Some(1) => "lxc",
            Some(2) => "libvirt-lxc",
            Some(3) => "mesos",
            Some(4) => "rkt",
            Some(5) => "custom",
            Some(6) => "cri",
            Some(7) => "containerd",
            Some(8) => "cri-o",
            Some(9) => "bpm",
            Some(10) => "static",
            Some(11) => "podman",
            _ => "",
        }
        .to_string(),
        _ => String::new(),
    }
}

/// Parses the JSON of a container meta event (`{"container": {...}}`).
pub fn parse_json(raw: &str) -> Option<Container> {
    let root: Json = serde_json::from_str(raw.trim_end_matches(['\0', '\n'])).ok()?;
    let c = root.get("container")?;
    let full_id = text(c, "full_id");
    let mut id = text(c, "id");
    if id.is_empty() {
        id = full_id.chars().take(12).collect();
    }
    if id.is_empty() {
        return None;
    }
    let image = text(c, "image");
    let mut image_repository = text(c, "imagerepo");
    let mut image_tag = text(c, "imagetag");
    if image_repository.is_empty() && !image.is_empty() {
        let (repo, tag) = split_image(&image);
        image_repository = repo.to_string();
        if image_tag.is_empty() {
            image_tag = tag.to_string();
        }
    }
    let labels = c
        .get("labels")
        .and_then(Json::as_object)
        .map(|m| {
            m.iter()
                .take(256)
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default();
    Some(Container {
        id,
        full_id,
        name: text(c, "name"),
        image,
        image_id: text(c, "imageid"),
        image_repository,
        image_tag,
        image_digest: text(c, "imagedigest"),
        kind: type_name(c.get("type")),
        privileged: c.get("privileged").and_then(Json::as_bool),
        ip: text(c, "ip"),
        labels,
    })
}

/// `repo[:tag][@digest]` split into repository and tag.
fn split_image(image: &str) -> (&str, &str) {
    let no_digest = image.split('@').next().unwrap_or(image);
    let slash = no_digest.rfind('/').map_or(0, |p| p + 1);
    match no_digest[slash..].rfind(':') {
        Some(p) => (&no_digest[..slash + p], &no_digest[slash + p + 1..]),
        None => (no_digest, ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_from_cgroups() {
        let id = "5ea733068030962afe24c88712a2d865516ac6416d875c62ff481c8ab84dd928";
        assert_eq!(id_from_cgroup(&format!("/docker/{id}")), Some("5ea733068030"));
        assert_eq!(
            id_from_cgroup(&format!("/system.slice/docker-{id}.scope")),
            Some("5ea733068030")
        );
        assert_eq!(
            id_from_cgroup(&format!("/kubepods/besteffort/podx/crio-{id}.scope")),
            Some("5ea733068030")
        );
        assert_eq!(id_from_cgroup("/user.slice"), None);
        assert_eq!(id_from_cgroups(["/", "/system.slice/docker.service"]), "host");
    }

    #[test]
    fn container_json() {
        let c = parse_json(
            r#"{"container":{"id":"5ea733068030","image":"sysdig/falco:latest","ip":"172.17.0.3","name":"falco","type":0}}"#,
        )
        .unwrap();
        assert_eq!(c.name, "falco");
        assert_eq!(c.image_repository, "sysdig/falco");
        assert_eq!(c.image_tag, "latest");
        assert_eq!(c.kind, "docker");
    }
}
