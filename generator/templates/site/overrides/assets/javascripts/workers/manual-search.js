/* The manual's search worker: Material for MkDocs' own search worker (lunr), reading queries the way the
 * manual's staff type them.  Material lets a site bring its own worker (the "search" URL of its
 * configuration); partials/manual-search.html points it here and passes Material's worker as ?material=.
 * The index, the results, the highlighting and the result list stay Material's.  What changes:
 *
 * - Codes.  The index keeps a hyphen between letters or digits inside a word (mkdocs.yml, search.separator),
 *   so 0110-2014, 0104-F1 or YD-0302-2013 is one word.  lunr's query lexer would still cut it at the
 *   hyphen (its separator is fixed when lunr loads): it is given the index's separator.
 * - Chinese.  The query is cut into the words of the index, as few as possible.  (Material's own cut never
 *   tries the last character of a run: 业务员 became 业务*, 库存 became 库*.)
 * - Every word must be found (lunr's "+"), not any of them: 0110-2014 finds what holds 0110-2014, not
 *   everything dated 2014.  A word also matches as the start of a longer word (0110 finds 0110-2014 and
 *   0110-F1), except a single Chinese character the index has as a word of its own; a whole-word match
 *   counts ten times more.  A word written with a leading "-" must not be found.
 * - A Chinese word the index does not hold as one word (对帐, cut into 对 + 帐) ranks first the pages that
 *   hold it as typed.
 */
"use strict"

var params = new URL(self.location.href).searchParams
var typed = null          /* the query as typed, for the next lunr search */
var asked = []            /* the words the last search required */
var literal = []          /* Chinese runs of the last query that the index has not as one word (对帐) */
var words = new Set()     /* the index's Chinese words */
var longest = 1
var separator = /[\s\u200b]+/
var HAN = /\p{Script=Han}/u

function setup(index) {
  separator = new RegExp(index.config.separator)
  self.lunr.QueryLexer.termSeparator = separator.source.indexOf("(?<!") < 0
    ? separator : /[\s\u200b\u3000]+/   /* the lexer tests one character at a time */
  for (var doc of index.docs)
    for (var field of [doc.title, doc.text])
      for (var word of String(field || "").replace(/<[^>]*>/g, " ").split(separator))
        if (HAN.test(word)) {
          word = word.toLowerCase()
          words.add(word)
          if (word.length > longest) longest = word.length
        }
}

/* A run of text cut into the index's words: the fewest words, then the fewest single characters (客户资料卡:
   客户 资料卡, not 客户资料 卡); a character the index lacks is a word of its own */
function cut(run) {
  var best = [{ words: 0, singles: 0, from: 0 }]
  for (var end = 1; end <= run.length; end++) {
    best[end] = null
    for (var n = Math.min(longest, end); n >= 1; n--) {
      var prev = best[end - n]
      if (prev === null || (n > 1 && !words.has(run.slice(end - n, end))))
        continue
      var cand = { words: prev.words + 1, singles: prev.singles + (n === 1 ? 1 : 0), from: end - n }
      var cur = best[end]
      if (cur === null || cand.words < cur.words || (cand.words === cur.words && cand.singles < cur.singles))
        best[end] = cand
    }
  }
  var out = []
  for (var at = run.length; at > 0; at = best[at].from)
    out.unshift(run.slice(best[at].from, at))
  return out
}

/* The query as clauses: [{word, prohibited}] */
function clauses(query) {
  var out = []
  for (var part of query.trim().split(/\s+/)) {
    var prohibited = part.charAt(0) === "-"
    part = part.replace(/^[+-]+/, "").replace(/[*~^:"]/g, "").toLowerCase()
    for (var piece of part.split(separator))
      if (piece)
        for (var word of HAN.test(piece) ? pieces(piece) : [piece])
          out.push({ word: word, prohibited: prohibited })
  }
  return out
}

/* Chinese runs cut into words, other runs (codes, Latin words) kept whole */
function pieces(text) {
  var out = []
  for (var run of text.match(/\p{Script=Han}+|[^\p{Script=Han}]+/gu))
    out.push.apply(out, HAN.test(run) ? cut(run) : [run])
  return out
}

function install(lunr) {
  var search = lunr.Index.prototype.search
  lunr.Index.prototype.search = function (query) {
    var mine = typed === null ? [] : clauses(typed)
    literal = typed === null ? [] : (typed.match(/\p{Script=Han}{2,}/gu) || []).filter(function (run) {
      return pieces(run).length > 1
    })
    typed = null
    asked = mine.filter(function (c) { return !c.prohibited }).map(function (c) { return c.word })
    if (!mine.length)
      return search.call(this, query)
    return this.query(function (q) {
      for (var c of mine) {
        if (c.prohibited) {
          q.term(c.word, { presence: lunr.Query.presence.PROHIBITED })
          continue
        }
        var whole = HAN.test(c.word) && c.word.length === 1 && words.has(c.word)
        q.term(c.word, {
          presence: lunr.Query.presence.REQUIRED,
          wildcard: whole ? lunr.Query.wildcard.NONE : lunr.Query.wildcard.TRAILING
        })
        q.term(c.word, { presence: lunr.Query.presence.OPTIONAL, boost: 10 })
      }
    })
  }
}

/* The text of a result as written (no highlights, no jieba cuts) */
function plain(text) {
  return String(text || "").replace(/<[^>]*>/g, "").replace(/\u200b/g, "")
}

/* A word the index does not have (对帐: cut into 对 + 帐, found anywhere) ranks the pages that hold it as
   typed first; the others keep their order after them */
function literalFirst(groups) {
  var holds = function (group) {
    return group.some(function (item) {
      var text = plain(item.title) + " " + plain(item.text)
      return literal.every(function (run) { return text.indexOf(run) >= 0 })
    })
  }
  return groups.filter(holds).concat(groups.filter(function (g) { return !holds(g) }))
}

/* Every result holds every word asked (they are required): Material's own list of the words found, made
   from its own cut of the query, would show words it cut wrongly as missing */
var post = self.postMessage.bind(self)
self.postMessage = function (message) {
  if (message && message.type === 3 && message.data && literal.length && message.data.items)
    message.data.items = literalFirst(message.data.items)
  if (message && message.type === 3 && message.data && asked.length) {   /* RESULT */
    var found = {}
    for (var word of asked)
      found[word] = true
    for (var group of message.data.items || [])
      for (var item of group)
        if (item.terms && Object.keys(item.terms).length)
          item.terms = found
  }
  post(message)
}

/* Before Material's own listener, which answers the message as soon as it gets it */
addEventListener("message", function (ev) {
  var message = ev.data || {}
  if (message.type === 0)         /* SETUP: the search index */
    setup(message.data)
  else if (message.type === 2)    /* QUERY */
    typed = String(message.data || "")
})

var material = new URL(params.get("material") || "", self.location.href)
if (material.origin !== self.location.origin)
  throw new Error("search: Material's worker must come from this site")
importScripts(material.href)
install(self.lunr)
