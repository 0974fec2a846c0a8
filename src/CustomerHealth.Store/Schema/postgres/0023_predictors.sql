-- Churn predictors fitted by `chs predict fit`, each kept with the model it was fitted on, how churn was told, its
-- validation figures (JSON) and the predictor itself (JSON: the trees as base64, calibration, fills, training profiles).
CREATE TABLE predictors (
    predictor_id TEXT PRIMARY KEY, fitted_at TEXT NOT NULL, model_version TEXT NOT NULL, model_yaml TEXT NOT NULL,
    horizon_days INTEGER NOT NULL, lapse_days INTEGER, figures TEXT NOT NULL, predictor TEXT NOT NULL
);
