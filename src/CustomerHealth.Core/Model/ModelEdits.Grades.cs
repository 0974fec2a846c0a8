namespace CustomerHealth.Core.Model;

public static partial class ModelEdits
{
    private static HealthModel WithGrade(HealthModel model, string grade, Func<Grade, Grade> change) =>
        model with { Grades = [.. model.Grades.Select(g => g.Id == grade ? change(g) : g)] };

    /// <summary>How people call a grade; a blank label is not taken.</summary>
    public static HealthModel GradeLabel(HealthModel model, string grade, string? label) =>
        string.IsNullOrWhiteSpace(label) ? model : WithGrade(model, grade, g => g with { Label = label.Trim() });

    /// <summary>The lowest score in a grade (the grades stay listed highest first: the loader says so when they are not).</summary>
    public static HealthModel GradeMin(HealthModel model, string grade, double min) => WithGrade(model, grade, g => g with { Min = min });

    /// <summary>A grade's color, `#rgb` or `#rrggbb`; anything else is not taken.</summary>
    public static HealthModel GradeColor(HealthModel model, string grade, string? color) =>
        Grade.IsColor(color) ? WithGrade(model, grade, g => g with { Color = color!.ToLowerInvariant() }) : model;

    /// <summary>
    /// Adds a grade just above the lowest, from half-way between the lowest grade's neighbour and 0 (a model with one
    /// grade gets a new top grade from half the scale), named so as not to clash.
    /// </summary>
    public static HealthModel AddGrade(HealthModel model)
    {
        if (model.Grades.Count >= MaxFormRows)
        {
            return model;
        }
        var id = FreeId(model.Grades.Select(g => g.Id), "grade");
        var above = model.Grades.Count > 1 ? model.Grades[^2].Min : model.MaxScore;
        var grade = new Grade(id, "New grade", Math.Round(above / 2, 1), Grade.NeutralColor);
        return model with { Grades = [.. model.Grades.Take(model.Grades.Count - 1), grade, model.Grades[^1]] };
    }

    /// <summary>Removes a grade, unless it is the only one; when the lowest goes, the next takes the scores down to 0.</summary>
    public static HealthModel RemoveGrade(HealthModel model, string grade)
    {
        if (model.Grades.Count <= 1 || model.Grades.All(g => g.Id != grade))
        {
            return model;
        }
        var grades = model.Grades.Where(g => g.Id != grade).ToList();
        grades[^1] = grades[^1] with { Min = 0 };
        return model with { Grades = grades };
    }

    private static HealthModel WithScorecard(HealthModel model, string scorecard, Func<Scorecard, Scorecard> change) =>
        model with { Scorecards = [.. model.Scorecards.Select(c => c.Id == scorecard ? change(c) : c)] };

    /// <summary>
    /// Adds a scorecard for accounts in onboarding (`lifecycle_stage: onboarding`) with the base model's weights, named
    /// so as not to clash; its conditions and weights are then changed in the form.
    /// </summary>
    public static HealthModel AddScorecard(HealthModel model) =>
        model.Scorecards.Count >= MaxFormRows ? model : model with
        {
            Scorecards =
            [
                .. model.Scorecards,
                new Scorecard(FreeId(model.Scorecards.Select(c => c.Id), "scorecard"),
                    new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal) { ["lifecycle_stage"] = ["onboarding"] },
                    new Dictionary<string, double>(StringComparer.Ordinal)),
            ],
        };

    public static HealthModel RemoveScorecard(HealthModel model, string scorecard) =>
        model with { Scorecards = [.. model.Scorecards.Where(c => c.Id != scorecard)] };

    /// <summary>Moves a scorecard up (−1) or down (+1): the first whose conditions an account meets is the one it is scored with.</summary>
    public static HealthModel MoveScorecard(HealthModel model, string scorecard, int by) =>
        model with { Scorecards = Moved(model.Scorecards, model.Scorecards.ToList().FindIndex(c => c.Id == scorecard), by) };

    /// <summary>Renames a scorecard; a blank name, `default` or one taken is not.</summary>
    public static HealthModel ScorecardName(HealthModel model, string scorecard, string? name) =>
        string.IsNullOrWhiteSpace(name) || name.Trim() == "default" || model.Scorecards.Any(c => c.Id == name.Trim()) ? model
            : WithScorecard(model, scorecard, c => c with { Id = name.Trim() });

    /// <summary>
    /// A condition of a scorecard: the account field and the values it may have (a comma-separated list). A condition
    /// is renamed with <paramref name="field"/> ≠ <paramref name="was"/>; one left without values is removed unless it is the last.
    /// </summary>
    public static HealthModel ScorecardCondition(HealthModel model, string scorecard, string was, string? field, string? values) =>
        WithScorecard(model, scorecard, c =>
        {
            var name = string.IsNullOrWhiteSpace(field) ? was : field.Trim();
            if (name != was && c.When.ContainsKey(name))
            {
                return c;
            }
            var list = ListOf(values);
            var when = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            foreach (var (key, old) in c.When)
            {
                if (key != was)
                {
                    when[key] = old;
                }
                else if (list.Count > 0 || c.When.Count == 1)
                {
                    when[name] = list.Count > 0 ? list : old;
                }
            }
            return c with { When = when };
        });

    /// <summary>Adds a condition `field_N: [value]` (a condition needs a value to be valid), to be renamed and given its values in the form.</summary>
    public static HealthModel AddScorecardCondition(HealthModel model, string scorecard) =>
        WithScorecard(model, scorecard, c =>
        {
            var field = FreeId(c.When.Keys, "field");
            return c.When.Count >= MaxFormRows ? c : c with { When = new Dictionary<string, IReadOnlyList<string>>(c.When, StringComparer.Ordinal) { [field] = ["value"] } };
        });

    /// <summary>What a scorecard weighs a part (`adoption`) or a measure (`adoption.logins`); null: the base model's weight.</summary>
    public static HealthModel ScorecardWeight(HealthModel model, string scorecard, string key, double? weight) =>
        WithScorecard(model, scorecard, c =>
        {
            var weights = c.Weights.Where(w => w.Key != key).ToDictionary(StringComparer.Ordinal);
            if (weight is { } w)
            {
                weights[key] = Math.Max(0, w);
            }
            return c with { Weights = weights };
        });
}
