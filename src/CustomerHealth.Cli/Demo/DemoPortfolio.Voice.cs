namespace CustomerHealth.Cli.Demo;

// What people say: NPS and CSAT answers with their comments (surveys.csv), and the CSMs' sentiment notes.
internal static partial class DemoPortfolio
{
    private static readonly string[] NpsPositive =
    [
        "The new dashboards save our team hours every week",
        "Support resolved our SSO issue quickly",
        "Rollout to the second team went smoothly",
        "Great product, our exec team lives in the weekly report",
        "Easy to use, and the Salesforce sync just works",
        "Our CSM is fantastic, always one step ahead",
        "Best tool we adopted this year",
        "Love the new \"Insights\" tab",
        "Reliable, fast, and the API is well documented",
        "It has become part of how we run our Monday meeting",
    ];

    private static readonly string[] NpsNeutral =
    [
        "Good overall, but exports could be faster",
        "Solid product; pricing is getting hard to justify",
        "Works well for us, onboarding new users takes a while",
        "Would like more control over permissions",
        "Fine for reporting, the mobile app needs work",
        "Mostly happy. Occasional sync delays with HubSpot",
        "Does the job. The UI feels a bit dated",
    ];

    private static readonly string[] NpsNegative =
    [
        "Reporting is slow since the last release",
        "We keep hitting API rate limits",
        "Too expensive for what we actually use",
        "Our champion left and nobody really owns the tool now",
        "The outage hurt us with our own customers",
        "Hard to get answers from support, tickets sit for days",
        "Missing features we were promised at renewal",
        "Numbers in the dashboards don't match our warehouse",
        "Honestly, we are looking at alternatives",
    ];

    private static readonly string[] CsatPositive =
    [
        "Support resolved our SSO issue quickly",
        "Quick and friendly answer, thanks!",
        "Fixed within the hour",
        "Clear explanation, problem solved",
        "The agent went above and beyond",
    ];

    private static readonly string[] CsatNeutral =
    [
        "Resolved, but it took a few back-and-forths",
        "OK answer, had to figure out the rest myself",
        "Fine, though the first reply missed the point",
    ];

    private static readonly string[] CsatNegative =
    [
        "Took a week to get a real answer",
        "Ticket was closed without fixing the problem",
        "Had to escalate twice, very frustrating",
        "Still broken; the \"workaround\" doesn't work for us",
    ];

    private static readonly string[] NoteGreen =
    [
        "Strong exec sponsor, expanding to a new team next quarter",
        "QBR went well; they want to pilot the forecasting add-on",
        "Healthy adoption, champion is very engaged",
        "Renewal looks safe, they offered to do a case study",
        "Usage up, positive feedback from the admins",
    ];

    private static readonly string[] NoteYellow =
    [
        "Usage flat; need to re-engage the ops team",
        "New admin still ramping up, scheduled a training",
        "Some frustration about reporting speed",
        "Budget review coming up, ROI deck in progress",
        "Mixed feedback in the QBR, follow up on integrations",
    ];

    private static readonly string[] NoteRed =
    [
        "Exec sponsor asking about cheaper alternatives",
        "Escalation open for weeks, relationship strained",
        "Low adoption, they question the value before renewal",
        "Payment issues and no reply to our emails",
        "Key users stopped logging in, no response to outreach",
    ];

    private sealed partial class Simulator
    {
        private long responseSeq;
        private int nextSentiment;
        private int noteDay;
        private string? note;

        private void Note(int day, string text)
        {
            if (a.TracksSentiment && day <= last)
            {
                noteDay = day;
                note = text;
            }
        }

        private void Nps(int d)
        {
            var dow = DateOnly.FromDayNumber(d).DayOfWeek;
            if (dow is DayOfWeek.Saturday or DayOfWeek.Sunday || !Chance(r, a.NpsPerHalfYear / 130.0))
            {
                return;
            }
            var q = h + (0.13 * Normal(r));
            var score = (int)Math.Round(Math.Clamp(2.6 + (9.0 * q) + (0.8 * Normal(r)), 0, 10));
            var comment = Chance(r, 0.3) ? Pick(r, score >= 9 ? NpsPositive : score >= 7 ? NpsNeutral : NpsNegative) : null;
            Survey("nps", score, ((long)d * SecondsPerDay) + (8 * 3600) + r.Next(12 * 3600), comment);
        }

        private void Survey(string kind, int score, long at, string? comment)
        {
            files.Surveys.Raw(a.Id).Raw(kind).Int(score).Stamp(at).Id("R-", ++responseSeq, 7).Raw(Pick(r, a.Contacts)).Text(comment).End();
        }

        private void Sentiment(int d)
        {
            string? text = null;
            if (note is not null && d >= noteDay)
            {
                text = note;
                note = null;
            }
            else if (d >= nextSentiment)
            {
                nextSentiment = d + Math.Max(14, a.SentimentEvery + r.Next(-10, 11));
            }
            else
            {
                return;
            }
            var seen = h + (0.12 * Normal(r));
            var rating = seen >= 0.62 ? "green" : seen >= 0.4 ? "yellow" : "red";
            text ??= Chance(r, 0.8) ? Pick(r, rating == "green" ? NoteGreen : rating == "yellow" ? NoteYellow : NoteRed) : null;
            var at = ((long)d * SecondsPerDay) + (9 * 3600) + r.Next(9 * 3600);
            files.Sentiment.Raw(a.Id).Raw(rating).Stamp(at).Raw(Owners[a.Owner]).Text(text).End();
        }
    }
}
