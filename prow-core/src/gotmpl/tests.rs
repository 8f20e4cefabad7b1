use serde_json::{Value, json};

use super::*;
use crate::prowjob::{ProwJob, ProwJobSpec, ProwJobState, ProwJobStatus, ProwJobType, Pull, Refs};

fn data() -> Value {
    json!({
        "Name": "prow",
        "empty": "",
        "zero": 0,
        "t": true,
        "f": false,
        "n": null,
        "i": 42,
        "neg": -7,
        "x": 1.5,
        "big": 1.0e21,
        "list": ["a", "b", "c"],
        "nums": [3, 1, 2],
        "none": [],
        "m": {"b": 2, "a": 1, "c": 3},
        "nested": {"inner": {"deep": "yes"}},
        "html": "<a href='x'>&</a>",
        "snake_case_key": "snake",
        "base_sha": "0123456789abcdef",
        "build_id": "1234",
    })
}

fn render(text: &str) -> Result<String, String> {
    Template::parse(text)
        .map_err(|e| e.to_string())?
        .render(&data())
        .map_err(|e| e.to_string())
}

#[test]
fn renders_like_go() {
    let cases: &[(&str, &str, &str)] = &[
        ("plain text", "hello", "hello"),
        ("field", "{{.Name}}", "prow"),
        ("go name matches snake key", "{{.SnakeCaseKey}}", "snake"),
        (
            "initialism matches key",
            "{{.BaseSHA}}/{{.BuildID}}",
            "0123456789abcdef/1234",
        ),
        ("nested fields", "{{.Nested.Inner.Deep}}", "yes"),
        ("missing key prints no value", "{{.Nope}}", "<no value>"),
        ("null prints no value", "{{.n}}", "<no value>"),
        ("integer", "{{.i}} {{.neg}}", "42 -7"),
        ("float", "{{.x}} {{.big}}", "1.5 1e+21"),
        ("bool", "{{.t}} {{.f}}", "true false"),
        ("array", "{{.list}}", "[a b c]"),
        ("map sorted", "{{.m}}", "map[a:1 b:2 c:3]"),
        ("dot", "{{.Nested.Inner}}", "map[deep:yes]"),
        ("comment", "a{{/* hi */}}b", "ab"),
        ("trim both sides", "a  {{- .Name -}}  b", "aprowb"),
        ("trim newlines", "x\n\t{{- 3 -}}\n\ty", "x3y"),
        ("trim comment", "a \n{{- /* c */ -}}\n b", "ab"),
        ("negative number is not a trim marker", "{{-3}}", "-3"),
        ("string constants", r#"{{"a\tb"}}{{`raw\n`}}"#, "a\tbraw\\n"),
        (
            "number constants",
            "{{0x1F}} {{1_000}} {{'a'}} {{2.50}}",
            "31 1000 97 2.5",
        ),
        ("if true", "{{if .t}}yes{{end}}", "yes"),
        ("if false", "{{if .f}}yes{{else}}no{{end}}", "no"),
        (
            "if else if",
            "{{if .f}}1{{else if .zero}}2{{else if .i}}3{{else}}4{{end}}",
            "3",
        ),
        (
            "nested if",
            "{{if .t}}{{if .f}}a{{else}}b{{end}}{{end}}",
            "b",
        ),
        (
            "empty values are false",
            "{{if or .empty .zero .none .n .Nope}}t{{else}}f{{end}}",
            "f",
        ),
        ("with", "{{with .Nested.Inner}}{{.Deep}}{{end}}", "yes"),
        ("with else", "{{with .empty}}x{{else}}none{{end}}", "none"),
        (
            "else with",
            "{{with .f}}a{{else with .Name}}{{.}}{{end}}",
            "prow",
        ),
        ("range array", "{{range .list}}[{{.}}]{{end}}", "[a][b][c]"),
        (
            "range index and value",
            "{{range $i, $v := .list}}{{$i}}={{$v}} {{end}}",
            "0=a 1=b 2=c ",
        ),
        (
            "range single var is element",
            "{{range $v := .nums}}{{$v}}{{end}}",
            "312",
        ),
        (
            "range map sorted",
            "{{range $k, $v := .m}}{{$k}}{{$v}}{{end}}",
            "a1b2c3",
        ),
        (
            "range else",
            "{{range .none}}x{{else}}empty{{end}}",
            "empty",
        ),
        (
            "range missing is empty",
            "{{range .Nope}}x{{else}}empty{{end}}",
            "empty",
        ),
        ("range integer", "{{range 3}}{{.}}{{end}}", "012"),
        (
            "range break",
            "{{range .list}}{{if eq . \"b\"}}{{break}}{{end}}{{.}}{{end}}",
            "a",
        ),
        (
            "range continue",
            "{{range .list}}{{if eq . \"b\"}}{{continue}}{{end}}{{.}}{{end}}",
            "ac",
        ),
        (
            "root variable",
            "{{range .list}}{{$.Name}}{{end}}",
            "prowprowprow",
        ),
        (
            "declare and assign",
            "{{$x := 1}}{{if .t}}{{$x = 2}}{{end}}{{$x}}",
            "2",
        ),
        (
            "variable scoped to if",
            "{{$x := 1}}{{if .t}}{{$x := 5}}{{$x}}{{end}}{{$x}}",
            "51",
        ),
        ("pipeline", "{{.Name | printf \"%s!\"}}", "prow!"),
        ("pipeline chain", "{{.i | printf \"%d\" | len}}", "2"),
        ("parenthesized", "{{(index .Nested \"inner\").Deep}}", "yes"),
        (
            "and returns deciding value",
            "{{and 1 0 2}} {{and 1 2}} {{or 0 \"\" \"x\"}}",
            "0 2 x",
        ),
        ("and short circuits", "{{and .f (index .list 10)}}", "false"),
        ("not", "{{not .t}} {{not .empty}}", "false true"),
        (
            "eq",
            "{{eq .Name \"prow\"}} {{eq .i 1 2 42}} {{eq .x 1.5}}",
            "true true true",
        ),
        ("ne", "{{ne .Name \"x\"}}", "true"),
        ("eq nil", "{{eq .n nil}} {{eq .Nope \"x\"}}", "true false"),
        (
            "lt le gt ge",
            "{{lt 1 2}} {{le 2 2}} {{gt \"b\" \"a\"}} {{ge 1 2}}",
            "true true true false",
        ),
        ("len", "{{len .list}} {{len .m}} {{len .Name}}", "3 3 4"),
        (
            "index array and map",
            "{{index .list 1}} {{index .m \"c\"}}",
            "b 3",
        ),
        ("index missing map key", "{{index .m \"zz\"}}", "<no value>"),
        ("index string is byte", "{{index .Name 0}}", "112"),
        ("slice", "{{slice .Name 1 3}} {{slice .list 1}}", "ro [b c]"),
        (
            "print spacing",
            "{{print 1 2 \"a\" 3 \"b\" \"c\"}}",
            "1 2a3bc",
        ),
        ("println", "{{println 1 \"a\"}}", "1 a\n"),
        ("print nil", "{{print nil .Nope}}", "<nil> <nil>"),
        (
            "html",
            "{{html .html}}",
            "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;",
        ),
        (
            "html pipeline",
            "{{.html | html}}",
            "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;",
        ),
        ("js", "{{js \"it's <b>\"}}", "it\\'s \\u003Cb\\u003E"),
        (
            "urlquery",
            "{{urlquery \"a b&c=d/é\"}}",
            "a+b%26c%3Dd%2F%C3%A9",
        ),
        (
            "printf verbs",
            "{{printf \"%s|%d|%v|%t|%%|%q\" \"s\" 5 .list true \"q\\\"\"}}",
            "s|5|[a b c]|true|%|\"q\\\"\"",
        ),
        (
            "printf precision",
            "{{printf \"%.7s\" .base_sha}}",
            "0123456",
        ),
        (
            "printf width",
            "{{printf \"[%5s][%-5s][%05d][%x][%X]\" \"ab\" \"ab\" 42 255 \"hi\"}}",
            "[   ab][ab   ][00042][ff][6869]",
        ),
        (
            "printf floats",
            "{{printf \"%.2f %e %g %v\" 3.14159 1234.5 0.000012 2.0}}",
            "3.14 1.234500e+03 1.2e-05 2",
        ),
        (
            "printf bad verb",
            "{{printf \"%d\" \"x\"}}",
            "%!d(string=x)",
        ),
        (
            "printf missing and extra",
            "{{printf \"%s %s\" \"a\"}}|{{printf \"%s\" \"a\" 1}}",
            "a %!s(MISSING)|a%!(EXTRA int=1)",
        ),
        (
            "define and template",
            "{{define \"T\"}}<{{.}}>{{end}}{{template \"T\" .Name}}",
            "<prow>",
        ),
        (
            "template without data",
            "{{define \"T\"}}{{.}}{{end}}{{template \"T\"}}",
            "<no value>",
        ),
        ("block", "{{block \"B\" .i}}[{{.}}]{{end}}", "[42]"),
        (
            "variables reset in template",
            "{{define \"T\"}}{{$}}{{end}}{{$x := 1}}{{template \"T\" 7}}",
            "7",
        ),
    ];
    for (name, text, want) in cases {
        assert_eq!(render(text).as_deref(), Ok(*want), "{name}: {text}");
    }
}

#[test]
fn parse_errors_like_go() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "unclosed if",
            "{{if .X}}",
            "template: template:1: unexpected EOF",
        ),
        (
            "unclosed action",
            "a\n{{ .X",
            "template: template:2: unclosed action",
        ),
        (
            "stray end",
            "{{end}}",
            "template: template:1: unexpected {{end}}",
        ),
        (
            "stray else",
            "{{else}}",
            "template: template:1: unexpected {{else}}",
        ),
        (
            "empty action",
            "{{}}",
            "template: template:1: missing value for command",
        ),
        (
            "empty if",
            "{{if}}x{{end}}",
            "template: template:1: missing value for if",
        ),
        (
            "unterminated string",
            "{{ \"abc }}",
            "template: template:1: unterminated quoted string",
        ),
        (
            "unterminated raw string",
            "{{ `abc }}",
            "template: template:1: unterminated raw quoted string",
        ),
        (
            "unclosed comment",
            "{{/* never closed }}",
            "template: template:1: unclosed comment",
        ),
        (
            "comment without delimiter",
            "{{/* c */ x}}",
            "template: template:1: comment ends before closing delimiter",
        ),
        (
            "undefined function",
            "{{foo 1}}",
            "template: template:1: function \"foo\" not defined",
        ),
        (
            "undefined variable",
            "{{$x}}",
            "template: template:1: undefined variable \"$x\"",
        ),
        (
            "variable out of scope",
            "{{if 1}}{{$x := 1}}{{end}}{{$x}}",
            "template: template:1: undefined variable \"$x\"",
        ),
        (
            "break outside range",
            "{{break}}",
            "template: template:1: {{break}} outside {{range}}",
        ),
        (
            "unclosed paren",
            "{{(1}}",
            "template: template:1: unclosed left paren",
        ),
        (
            "unexpected right paren",
            "{{1)}}",
            "template: template:1: unexpected right paren",
        ),
        (
            "non executable stage",
            "{{1 | 2}}",
            "template: template:1: non executable command in pipeline stage 2",
        ),
        (
            "bad number",
            "{{3k}}",
            "template: template:1: bad number syntax: \"3k\"",
        ),
        (
            "too many range vars",
            "{{range $a, $b, $c := .}}{{end}}",
            "template: template:1: too many declarations in range",
        ),
        (
            "line counted",
            "a\nb\n{{if}}",
            "template: template:3: missing value for if",
        ),
    ];
    for (name, text, want) in cases {
        let err = Template::parse(text).expect_err(name);
        assert_eq!(err.kind, ErrorKind::Parse, "{name}");
        assert_eq!(err.to_string(), *want, "{name}: {text}");
    }
}

#[test]
fn exec_errors_carry_position_and_context() {
    type Case = (
        &'static str,
        &'static str,
        (usize, usize),
        &'static str,
        &'static str,
    );
    let cases: &[Case] = &[
        (
            "field of nil",
            "ab\n  {{.Nope.Deeper}}",
            (2, 4),
            ".Nope.Deeper",
            "nil pointer evaluating interface {}.Deeper",
        ),
        (
            "field of string",
            "{{.Name.X}}",
            (1, 2),
            ".Name.X",
            "can't evaluate field X in type string",
        ),
        (
            "index out of range",
            "{{index .list 5}}",
            (1, 2),
            "index",
            "error calling index: index out of range: 5",
        ),
        (
            "wrong arg count",
            "{{not 1 2}}",
            (1, 2),
            "not",
            "wrong number of args for not: want 1 got 2",
        ),
        (
            "bad comparison",
            "{{lt .list 1}}",
            (1, 2),
            "lt",
            "error calling lt: invalid type for comparison",
        ),
        (
            "incompatible comparison",
            "{{eq .Name 1}}",
            (1, 2),
            "eq",
            "error calling eq: incompatible types for comparison",
        ),
        (
            "argument to field",
            "{{.Name 1}}",
            (1, 2),
            ".Name 1",
            "can't give argument to non-function .Name",
        ),
        (
            "undefined template",
            "{{template \"nope\"}}",
            (1, 2),
            "template \"nope\"",
            "template \"nope\" not defined",
        ),
        (
            "argument to constant",
            "{{3 -2}}",
            (1, 2),
            "3 -2",
            "can't give argument to non-function 3",
        ),
        (
            "call",
            "{{call .Name}}",
            (1, 2),
            "call",
            "error calling call: non-function prow of type string",
        ),
        (
            "range over string",
            "{{range .Name}}{{end}}",
            (1, 8),
            ".Name",
            "range can't iterate over prow",
        ),
    ];
    for (name, text, (line, col), context, message) in cases {
        let err = Template::parse(text)
            .unwrap()
            .render(&data())
            .expect_err(name);
        assert_eq!(err.kind, ErrorKind::Exec, "{name}");
        assert_eq!((err.line, err.col), (*line, *col), "{name}");
        assert_eq!(err.context, *context, "{name}");
        assert_eq!(err.message, *message, "{name}");
    }
    let err = Template::parse("{{.A.B}}")
        .unwrap()
        .render(&json!({}))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "template: template:1:2: executing \"template\" at <.A.B>: nil pointer evaluating interface {}.B"
    );
}

#[test]
fn missing_key_options() {
    let t = |mk| Template::parse("[{{.A}}]").unwrap().with_missing_key(mk);
    assert_eq!(
        t(MissingKey::Default).render(&json!({})).unwrap(),
        "[<no value>]"
    );
    assert_eq!(t(MissingKey::Zero).render(&json!({})).unwrap(), "[]");
    assert_eq!(
        t(MissingKey::Error).render(&json!({})).unwrap_err().message,
        "map has no entry for key \"A\""
    );
    let z = Template::parse(
        r#"{{eq .A ""}} {{eq .A 0}} {{if .A}}t{{else}}f{{end}} {{.A.B.C}}|{{len .A}}"#,
    )
    .unwrap()
    .with_missing_key(MissingKey::Zero);
    assert_eq!(z.render(&json!({})).unwrap(), "true true f |0");
}

#[test]
fn named_templates_and_render_template() {
    let t = Template::parse_named("Report", r#"{{define "x"}}X{{.}}{{end}}main"#).unwrap();
    assert_eq!(t.name(), "Report");
    assert_eq!(t.defined_templates().collect::<Vec<_>>(), ["Report", "x"]);
    assert_eq!(t.render(&json!(null)).unwrap(), "main");
    assert_eq!(t.render_template("x", &json!(1)).unwrap(), "X1");
    let err = Template::parse_named("JobURL", "{{if .X}}").unwrap_err();
    assert_eq!(err.to_string(), "template: JobURL:1: unexpected EOF");
}

fn sample_prowjob(type_: ProwJobType) -> ProwJob {
    let mut pj = ProwJob::new(
        Default::default(),
        ProwJobSpec {
            type_: Some(type_.clone()),
            job: "pull-test-infra-unit".into(),
            refs: Some(Refs {
                org: "kubernetes-sigs".into(),
                repo: "prow".into(),
                base_ref: "main".into(),
                base_sha: "e92d5c525795eafb82cf16e3ab151b567b47e333".into(),
                base_link: "https://github.com/kubernetes-sigs/prow/commit/e92d5c5".into(),
                pulls: if type_ == ProwJobType::Postsubmit {
                    vec![]
                } else {
                    vec![Pull {
                        number: 17061,
                        author: "enj".into(),
                        sha: "f94a3a51".into(),
                        ..Pull::default()
                    }]
                },
                ..Refs::default()
            }),
            ..ProwJobSpec::default()
        },
        ProwJobStatus {
            state: Some(ProwJobState::Failure),
            url: "https://prow.k8s.io/view/gs/b/1".into(),
            build_id: "1765012345678901234".into(),
            ..ProwJobStatus::default()
        },
    );
    pj.metadata.name = "831c7df0".into();
    pj
}

/// The job URL template of prow.k8s.io, as found in kubernetes/test-infra's config.
const K8S_JOB_URL_TEMPLATE: &str = r#"https://prow.k8s.io/view/gs/kubernetes-ci-logs/{{if eq .Spec.Type "presubmit"}}pr-logs/pull{{else if eq .Spec.Type "batch"}}pr-logs/pull{{else}}logs{{end}}{{if .Spec.Refs}}{{if ne .Spec.Refs.Org ""}}{{if ne .Spec.Refs.Org "kubernetes"}}/{{if eq .Spec.Refs.Org "kubernetes-sigs"}}sigs.k8s.io{{else}}{{.Spec.Refs.Org}}{{end}}_{{.Spec.Refs.Repo}}{{else if ne .Spec.Refs.Repo "kubernetes"}}/{{.Spec.Refs.Repo}}{{end}}{{end}}{{end}}{{if eq .Spec.Type "presubmit"}}/{{with index .Spec.Refs.Pulls 0}}{{.Number}}{{end}}{{else if eq .Spec.Type "batch"}}/batch{{end}}/{{.Spec.Job}}/{{.Status.BuildID}}/"#;

#[test]
fn real_job_url_template_over_a_prowjob() {
    let t = Template::parse_named("JobURL", K8S_JOB_URL_TEMPLATE).unwrap();
    let cases = [
        (
            ProwJobType::Presubmit,
            "https://prow.k8s.io/view/gs/kubernetes-ci-logs/pr-logs/pull/sigs.k8s.io_prow/17061/pull-test-infra-unit/1765012345678901234/",
        ),
        (
            ProwJobType::Batch,
            "https://prow.k8s.io/view/gs/kubernetes-ci-logs/pr-logs/pull/sigs.k8s.io_prow/batch/pull-test-infra-unit/1765012345678901234/",
        ),
        (
            ProwJobType::Postsubmit,
            "https://prow.k8s.io/view/gs/kubernetes-ci-logs/logs/sigs.k8s.io_prow/pull-test-infra-unit/1765012345678901234/",
        ),
    ];
    for (type_, want) in cases {
        assert_eq!(
            t.render_serialize(&sample_prowjob(type_.clone())).unwrap(),
            want,
            "{type_}"
        );
    }
    // A periodic without refs: the JSON has no `refs` key at all.
    let mut periodic = sample_prowjob(ProwJobType::Periodic);
    periodic.spec.refs = None;
    assert_eq!(
        t.render_serialize(&periodic).unwrap(),
        "https://prow.k8s.io/view/gs/kubernetes-ci-logs/logs/pull-test-infra-unit/1765012345678901234/"
    );
}

#[test]
fn real_report_templates_over_a_prowjob() {
    let pj = sample_prowjob(ProwJobType::Postsubmit);
    let cases = [
        (
            "Job {{.Spec.Job}} of type {{.Spec.Type}} ended with state {{.Status.State}}. <{{.Status.URL}}|View logs>",
            "Job pull-test-infra-unit of type postsubmit ended with state failure. <https://prow.k8s.io/view/gs/b/1|View logs>",
        ),
        (
            r#"Deploying kettle: {{.Status.State}}. Commit: <{{.Spec.Refs.BaseLink}}|{{printf "%.7s" .Spec.Refs.BaseSHA}}> | <{{.Status.URL}}|Spyglass> | <https://prow.k8s.io/?job={{.Spec.Job}}|Deck>"#,
            "Deploying kettle: failure. Commit: <https://github.com/kubernetes-sigs/prow/commit/e92d5c5|e92d5c5> | <https://prow.k8s.io/view/gs/b/1|Spyglass> | <https://prow.k8s.io/?job=pull-test-infra-unit|Deck>",
        ),
        (
            ":alert: Failed periodic job: {{.Status.State}}. <{{.Status.URL}}|Spyglass> | <https://prow.k8s.io/?job={{.Spec.Job}}|Deck>",
            ":alert: Failed periodic job: failure. <https://prow.k8s.io/view/gs/b/1|Spyglass> | <https://prow.k8s.io/?job=pull-test-infra-unit|Deck>",
        ),
        // Fields left out of the JSON because they are empty print as nothing, as Go's
        // struct fields do.
        (
            "[{{.Status.PodName}}]{{if .Spec.Hidden}}hidden{{end}}",
            "[]",
        ),
    ];
    for (text, want) in cases {
        let t = Template::parse_named("Report", text).unwrap();
        assert_eq!(t.render_serialize(&pj).unwrap(), want, "{text}");
    }
}

#[test]
fn welcome_message_template() {
    let t = Template::parse(
        "Welcome @{{.AuthorLogin}}! <a href='https://github.com/{{.Org}}/{{.Repo}}'>{{.Org}}/{{.Repo}}</a> 🎉",
    )
    .unwrap();
    let data = json!({"AuthorLogin": "octocat", "Org": "kubernetes", "Repo": "test-infra"});
    assert_eq!(
        t.render(&data).unwrap(),
        "Welcome @octocat! <a href='https://github.com/kubernetes/test-infra'>kubernetes/test-infra</a> 🎉"
    );
}

#[test]
fn templates_are_shareable() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Template>();
}
