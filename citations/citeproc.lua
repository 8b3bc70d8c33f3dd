-- Render every reference of a CSL-JSON document once per CSL style, in one pandoc run.
--
-- Input: `pandoc --from=csljson` puts the items in the `references` metadata; the
-- metadata field `emgov-csl` holds one style path, or a list of them (pass
-- `--metadata=emgov-csl=PATH` once per style). Output: one Div per style, in the order
-- given, holding the bibliography that citeproc produced with that style. Starting
-- pandoc once instead of once per style is what makes rendering all styles fast.

function Pandoc(doc)
  local styles = doc.meta['emgov-csl']
  if type(styles) == 'string' then
    styles = { styles }
  end
  -- The document has no citations of its own: cite every reference, as `nocite: '@*'`.
  doc.meta.nocite = pandoc.Inlines {
    pandoc.Cite({ pandoc.Str('@*') }, { pandoc.Citation('*', 'NormalCitation') }),
  }
  local sections = {}
  for _, style in ipairs(styles) do
    doc.meta.csl = style
    table.insert(sections, pandoc.Div(pandoc.utils.citeproc(doc).blocks))
  end
  return pandoc.Pandoc(sections)
end
