//! Layered string sets (upstream `layeredsets.String`): a set whose members
//! are grouped by distance from a file, nearest layer first.

use std::collections::BTreeSet;

/// A set of strings split into numbered layers; each member lives in exactly
/// one layer, the first one it was inserted into.
#[derive(Debug, Clone, Default)]
pub struct LayeredSet {
    layers: Vec<BTreeSet<String>>,
}

impl LayeredSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// A set with every item in layer 0.
    pub fn from_items<I, S>(items: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut set = Self::new();
        set.insert(0, items);
        set
    }

    /// A set whose layer `i` holds the items of the `i`-th list (items already
    /// present in an earlier list are not repeated).
    pub fn from_layers<I, L, S>(layers: I) -> Self
    where
        I: IntoIterator<Item = L>,
        L: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut set = Self::new();
        for (idx, layer) in layers.into_iter().enumerate() {
            set.insert(idx, layer);
        }
        set
    }

    /// Adds items to `layer`, skipping those already present in any layer.
    pub fn insert<I, S>(&mut self, layer: usize, items: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        if self.layers.len() <= layer {
            self.layers.resize_with(layer + 1, BTreeSet::new);
        }
        for item in items {
            let item = item.into();
            if !self.has(&item) {
                self.layers[layer].insert(item);
            }
        }
    }

    /// Removes the given items from every layer.
    pub fn delete<I, S>(&mut self, items: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for item in items {
            for layer in &mut self.layers {
                layer.remove(item.as_ref());
            }
        }
    }

    /// Whether `item` is in any layer.
    pub fn has(&self, item: &str) -> bool {
        self.layers.iter().any(|layer| layer.contains(item))
    }

    /// A copy without the members of `other`, layers kept.
    pub fn difference(&self, other: &BTreeSet<String>) -> LayeredSet {
        let mut out = LayeredSet::new();
        for (idx, layer) in self.layers.iter().enumerate() {
            out.insert(idx, layer.iter().filter(|i| !other.contains(*i)).cloned());
        }
        out
    }

    /// Members of either set; an item keeps the layer of `self` when both have it.
    pub fn union(&self, other: &LayeredSet) -> LayeredSet {
        let mut out = self.clone();
        for (idx, layer) in other.layers.iter().enumerate() {
            out.insert(idx, layer.iter().cloned());
        }
        out
    }

    /// Every member, layer by layer, sorted inside each layer.
    pub fn list(&self) -> Vec<String> {
        self.layers.iter().flatten().cloned().collect()
    }

    /// Every member as a plain set.
    pub fn set(&self) -> BTreeSet<String> {
        self.layers.iter().flatten().cloned().collect()
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.layers.iter().map(BTreeSet::len).sum()
    }

    /// Whether there are no members.
    pub fn is_empty(&self) -> bool {
        self.layers.iter().all(BTreeSet::is_empty)
    }

    /// The layers, nearest first; some may be empty.
    pub fn layers(&self) -> &[BTreeSet<String>] {
        &self.layers
    }

    /// Removes and returns one member of the first non-empty layer; `pick`
    /// gets the size of that layer and chooses an index into its sorted members
    /// (upstream's `PopRandom` picks at random). Out-of-range picks wrap around.
    pub fn pop_with<F>(&mut self, pick: F) -> Option<String>
    where
        F: FnOnce(usize) -> usize,
    {
        let layer = self.layers.iter().find(|layer| !layer.is_empty())?;
        let idx = pick(layer.len()) % layer.len();
        let chosen = layer.iter().nth(idx)?.clone();
        self.delete([&chosen]);
        Some(chosen)
    }
}

impl PartialEq for LayeredSet {
    fn eq(&self, other: &Self) -> bool {
        let trim = |layers: &[BTreeSet<String>]| -> usize {
            layers
                .iter()
                .rposition(|l| !l.is_empty())
                .map_or(0, |p| p + 1)
        };
        let (a, b) = (trim(&self.layers), trim(&other.layers));
        a == b && self.layers[..a] == other.layers[..b]
    }
}

impl Eq for LayeredSet {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_keeps_first_layer() {
        let mut set = LayeredSet::from_items(["a", "b"]);
        set.insert(2, ["b", "c"]);
        assert_eq!(set.layers().len(), 3);
        assert_eq!(set.list(), vec!["a", "b", "c"]);
        assert!(set.layers()[1].is_empty());
        assert_eq!(set.layers()[2], BTreeSet::from(["c".to_owned()]));
        assert_eq!(set.len(), 3);
    }

    #[test]
    fn difference_and_union_keep_layers() {
        let set = LayeredSet::from_layers([vec!["a"], vec!["b", "c"]]);
        let diff = set.difference(&BTreeSet::from(["b".to_owned()]));
        assert_eq!(diff, LayeredSet::from_layers([vec!["a"], vec!["c"]]));
        let other = LayeredSet::from_layers([vec!["c"], vec!["d"]]);
        let union = diff.union(&other);
        assert_eq!(union, LayeredSet::from_layers([vec!["a"], vec!["c", "d"]]));
    }

    #[test]
    fn equality_ignores_trailing_empty_layers() {
        let mut a = LayeredSet::from_items(["x"]);
        a.insert(3, Vec::<String>::new());
        assert_eq!(a, LayeredSet::from_items(["x"]));
        assert_ne!(a, LayeredSet::from_layers([vec![], vec!["x"]]));
    }

    #[test]
    fn pop_takes_from_nearest_layer() {
        let mut set = LayeredSet::from_layers([vec!["b", "a"], vec!["c"]]);
        assert_eq!(set.pop_with(|n| n - 1).as_deref(), Some("b"));
        assert_eq!(set.pop_with(|_| 0).as_deref(), Some("a"));
        assert_eq!(set.pop_with(|_| 7).as_deref(), Some("c"));
        assert_eq!(set.pop_with(|_| 0), None);
        assert!(set.is_empty());
    }
}
