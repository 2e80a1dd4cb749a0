//! The model put together from the kept documents and their resolved
//! references: items by kind, defaults from hypotheses, iteration chains,
//! evidence, hypothesis statuses, playbook boards and backlinks.

use super::*;

pub(super) fn build_model(
    docs: Vec<Arc<Document>>,
    refs: Vec<Refs>,
    links: Vec<Vec<LinkTarget>>,
    link_sources: Vec<Vec<usize>>,
    selection: Selection,
    diags: &mut Vec<Diagnostic>,
) -> Model {
    let Items {
        mut playbooks,
        mut hypotheses,
        mut experiments,
        pages,
        home_intro,
    } = items(&docs, &selection);
    let item = places(&playbooks, &hypotheses, &experiments, docs.len());
    place_references(&docs, &refs, &item, &mut hypotheses, &mut experiments);
    cut_cycles(&docs, &mut experiments, diags);

    // What the counts say, and whether the claims agree with it.
    experiments
        .par_iter_mut()
        .for_each(|e| derive::weigh_evidence(e, &docs[e.doc], &selection.stats));
    for e in &experiments {
        derive::check_claims(e, &docs[e.doc], diags);
    }
    hypothesis_statuses(&mut hypotheses, &experiments);
    fill_boards(&docs, &mut playbooks, &hypotheses, &experiments);
    let backlinks = backlinks(&link_sources, docs.len());

    let mut model = Model {
        item,
        docs,
        playbooks,
        hypotheses,
        experiments,
        pages,
        home_intro,
        links,
        backlinks,
        md_links: Vec::new(),
        aliases: Vec::new(),
        assets: Arc::default(),
        selection,
        log: Vec::new(),
        taxonomies: Taxonomies::default(),
    };
    model
        .pages
        .sort_by(|a, b| model.docs[*a].url.cmp(&model.docs[*b].url));
    model.log = log_order(&model);
    model.taxonomies = Taxonomies::of(&model.docs);
    model
}

/// The kept documents sorted into their kinds, each item's derived data
/// still empty.
struct Items {
    playbooks: Vec<PlaybookData>,
    hypotheses: Vec<HypothesisData>,
    experiments: Vec<ExperimentData>,
    pages: Vec<usize>,
    home_intro: Option<usize>,
}

fn items(docs: &[Arc<Document>], selection: &Selection) -> Items {
    let mut playbooks = Vec::new();
    let mut hypotheses = Vec::new();
    let mut experiments = Vec::new();
    let mut pages = Vec::new();
    let mut home_intro = None;
    for (i, d) in docs.iter().enumerate() {
        match d.kind {
            Kind::Playbook => {
                playbooks.push(PlaybookData {
                    doc: i,
                    stages: d
                        .fm
                        .stages
                        .iter()
                        .map(|s| StageData {
                            id: s.id.clone(),
                            title: s.title.clone(),
                            goal: s.goal.clone(),
                            hypotheses: vec![],
                            experiments: vec![],
                            state: StageState::Ahead,
                        })
                        .collect(),
                    current_stage: None,
                    hypotheses: vec![],
                    experiments: vec![],
                    evidence: Evidence::default(),
                });
            }
            Kind::Hypothesis => {
                hypotheses.push(HypothesisData {
                    doc: i,
                    playbook: None,
                    stage: None,
                    status: HypothesisStatus::Untested,
                    experiments: vec![],
                });
            }
            Kind::Experiment => {
                experiments.push(ExperimentData {
                    doc: i,
                    status: d.experiment_status,
                    hypothesis: None,
                    playbook: None,
                    stage: None,
                    follows: None,
                    followed_by: vec![],
                    ice_score: d.fm.ice.map(|ice| ice.score()),
                    evidence: Vec::new(),
                    primary: None,
                    srm_p: None,
                    srm: None,
                    confidence: selection.stats.confidence.get(),
                    backed: None,
                });
            }
            Kind::Page if d.slug.is_empty() => home_intro = Some(i),
            Kind::Page => pages.push(i),
        }
    }
    Items {
        playbooks,
        hypotheses,
        experiments,
        pages,
        home_intro,
    }
}

/// Per document, where its derived data is.
fn places(
    playbooks: &[PlaybookData],
    hypotheses: &[HypothesisData],
    experiments: &[ExperimentData],
    n: usize,
) -> Vec<Item> {
    let mut item = vec![Item::Page; n];
    for (i, p) in playbooks.iter().enumerate() {
        item[p.doc] = Item::Playbook(i);
    }
    for (i, h) in hypotheses.iter().enumerate() {
        item[h.doc] = Item::Hypothesis(i);
    }
    for (i, e) in experiments.iter().enumerate() {
        item[e.doc] = Item::Experiment(i);
    }
    item
}

/// Each hypothesis's and experiment's references as items; an
/// experiment's playbook and stage default to its hypothesis's.
fn place_references(
    docs: &[Arc<Document>],
    refs: &[Refs],
    item: &[Item],
    hypotheses: &mut [HypothesisData],
    experiments: &mut [ExperimentData],
) {
    for h in hypotheses.iter_mut() {
        let r = &refs[h.doc];
        h.playbook = r.playbook.and_then(|p| item[p].playbook());
        h.stage = if h.playbook.is_some() {
            r.stage.clone()
        } else {
            None
        };
    }
    for e in experiments.iter_mut() {
        let r = &refs[e.doc];
        e.hypothesis = r.hypothesis.and_then(|h| item[h].hypothesis());
        e.follows = r.follows.and_then(|f| item[f].experiment());
        // Playbook and stage default to the hypothesis's.
        let from_hypothesis = e
            .hypothesis
            .map(|h| (hypotheses[h].playbook, hypotheses[h].stage.clone()));
        match r.playbook.and_then(|p| item[p].playbook()) {
            Some(p) => {
                e.playbook = Some(p);
                e.stage = r.stage.clone().or_else(|| {
                    from_hypothesis
                        .as_ref()
                        .filter(|(hp, _)| *hp == Some(p))
                        .and_then(|(_, s)| s.clone())
                });
            }
            None if docs[e.doc].fm.playbook.is_none() => {
                if let Some((p, s)) = from_hypothesis {
                    e.playbook = p;
                    e.stage = r.stage.clone().or(s);
                }
            }
            None => {}
        }
        if e.playbook.is_none() {
            e.stage = None;
        }
    }
}

/// Iteration chains; a cycle is an error and is cut.
fn cut_cycles(
    docs: &[Arc<Document>],
    experiments: &mut [ExperimentData],
    diags: &mut Vec<Diagnostic>,
) {
    for i in 0..experiments.len() {
        let mut seen = vec![i];
        let mut cur = experiments[i].follows;
        while let Some(c) = cur {
            if seen.contains(&c) {
                let d = &docs[experiments[i].doc];
                diags.push(d.diag_error(
                    d.value_span("follows"),
                    "`follows` makes a cycle of experiments",
                ));
                experiments[i].follows = None;
                break;
            }
            seen.push(c);
            cur = experiments[c].follows;
            if seen.len() > experiments.len() {
                break;
            }
        }
    }
    for i in 0..experiments.len() {
        if let Some(f) = experiments[i].follows {
            experiments[f].followed_by.push(i);
        }
    }
}

/// Hypothesis status from its concluded experiments.
fn hypothesis_statuses(hypotheses: &mut [HypothesisData], experiments: &[ExperimentData]) {
    for (i, e) in experiments.iter().enumerate() {
        if let Some(h) = e.hypothesis {
            hypotheses[h].experiments.push(i);
        }
    }
    for h in hypotheses.iter_mut() {
        let validated = h
            .experiments
            .iter()
            .any(|&e| experiments[e].status == ExperimentStatus::Validated);
        let invalidated = h
            .experiments
            .iter()
            .any(|&e| experiments[e].status == ExperimentStatus::Invalidated);
        h.status = derive_status(validated, invalidated);
    }
}

/// Playbook boards and evidence, and where each playbook stands.
fn fill_boards(
    docs: &[Arc<Document>],
    playbooks: &mut [PlaybookData],
    hypotheses: &[HypothesisData],
    experiments: &[ExperimentData],
) {
    let stage_pos = |p: &PlaybookData, id: &Option<String>| {
        id.as_ref()
            .and_then(|id| p.stages.iter().position(|s| &s.id == id))
    };
    for (i, h) in hypotheses.iter().enumerate() {
        if let Some(p) = h.playbook {
            playbooks[p].hypotheses.push(i);
            playbooks[p].evidence.count(h.status);
            if let Some(s) = stage_pos(&playbooks[p], &h.stage) {
                playbooks[p].stages[s].hypotheses.push(i);
            }
        }
    }
    for (i, e) in experiments.iter().enumerate() {
        if let Some(p) = e.playbook {
            playbooks[p].experiments.push(i);
            if let Some(s) = stage_pos(&playbooks[p], &e.stage) {
                playbooks[p].stages[s].experiments.push(i);
            }
        }
    }

    for p in playbooks.iter_mut() {
        let written = docs[p.doc].fm.current_stage.as_deref();
        derive::place_stages(p, written, hypotheses, experiments);
    }
}

/// Backlinks, each source once, in document order.
fn backlinks(link_sources: &[Vec<usize>], n: usize) -> Vec<Vec<usize>> {
    let mut backlinks = vec![Vec::new(); n];
    for (src, targets) in link_sources.iter().enumerate() {
        for &t in targets {
            if t != src && backlinks[t].last() != Some(&src) {
                backlinks[t].push(src);
            }
        }
    }
    for b in backlinks.iter_mut() {
        b.sort_unstable();
        b.dedup();
    }
    backlinks
}
