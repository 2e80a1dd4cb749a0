//! The model as a view reads it: every other document a card or a page
//! asks about is recorded (`Reads`), and that record is the view's
//! dependencies. Views reach the model through here only.

use super::RenderInput;
use crate::export::{ExportContext, Reads};
use crate::git::History;
use crate::model::Taxonomy;
use crate::parse::Document;
use crate::resolve::{ExperimentData, HypothesisData, PlaybookData};
use serde::Serialize;

/// A link to a taxonomy term (`url` is `None` when the site has no such
/// taxonomy).
#[derive(Debug, Clone, Serialize)]
pub(super) struct TermLink {
    pub name: String,
    pub url: Option<String>,
}

pub(super) struct View<'v> {
    input: &'v RenderInput<'v>,
    /// Every document's card; empty while the cards themselves are built.
    cards: &'v [tera::Value],
    reads: Reads,
}

impl<'v> View<'v> {
    pub fn new(input: &'v RenderInput<'v>, cards: &'v [tera::Value]) -> View<'v> {
        View {
            input,
            cards,
            reads: Reads::default(),
        }
    }

    /// The documents read, once each.
    pub fn into_reads(self) -> Vec<usize> {
        self.reads.into_docs()
    }

    pub fn input(&self) -> &RenderInput<'v> {
        self.input
    }

    pub fn doc(&self, doc: usize) -> &'v Document {
        self.reads.note(doc);
        &self.input.model.docs[doc]
    }

    /// A structured document's index in the list of its kind.
    pub fn item(&self, doc: usize) -> usize {
        self.reads.note(doc);
        self.input.model.item[doc]
            .index()
            .expect("only playbooks, hypotheses and experiments have items")
    }

    pub fn playbook(&self, p: usize) -> &'v PlaybookData {
        let data = &self.input.model.playbooks[p];
        self.reads.note(data.doc);
        data
    }

    pub fn hypothesis(&self, h: usize) -> &'v HypothesisData {
        let data = &self.input.model.hypotheses[h];
        self.reads.note(data.doc);
        data
    }

    pub fn experiment(&self, e: usize) -> &'v ExperimentData {
        let data = &self.input.model.experiments[e];
        self.reads.note(data.doc);
        data
    }

    /// The documents whose bodies link to `doc`.
    pub fn backlinks(&self, doc: usize) -> &'v [usize] {
        self.reads.note(doc);
        &self.input.model.backlinks[doc]
    }

    /// The iteration chain of experiment `e`, each member read.
    pub fn chain(&self, e: usize) -> Vec<usize> {
        let chain = crate::resolve::chain(self.input.model, e);
        self.experiment(e);
        for &c in &chain {
            self.experiment(c);
        }
        chain
    }

    pub fn url(&self, doc: usize) -> String {
        self.reads.note(doc);
        self.input.url(doc)
    }

    pub fn summary(&self, doc: usize) -> String {
        self.reads.note(doc);
        self.input.summary(doc)
    }

    pub fn visibility(&self, doc: usize) -> crate::model::Visibility {
        self.reads.note(doc);
        self.input.model.visibility(doc)
    }

    pub fn history(&self, doc: usize) -> Option<&'v History> {
        self.reads.note(doc);
        self.input.histories[doc].as_ref()
    }

    pub fn card(&self, doc: usize) -> tera::Value {
        self.reads.note(doc);
        self.cards[doc].clone()
    }

    /// The cards of some documents, as one template list.
    pub fn cards(&self, docs: impl Iterator<Item = usize>) -> tera::Value {
        tera::Value::from(docs.map(|d| self.card(d)).collect::<Vec<_>>())
    }

    /// The export of the model, reading through this view.
    pub fn export(&self) -> ExportContext<'_> {
        ExportContext {
            model: self.input.model,
            prefix: self.input.prefix,
            histories: self.input.histories,
            reads: Some(&self.reads),
        }
    }

    pub fn term_link(&self, taxonomy: Taxonomy, name: &str) -> TermLink {
        TermLink {
            name: name.to_string(),
            url: self
                .input
                .config
                .has_taxonomy(taxonomy)
                .then(|| self.input.link(&taxonomy.term_url(name))),
        }
    }
}
