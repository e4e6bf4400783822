"""Pure rules of the outcomes app: distance travelled, outcomes frameworks and their evaluation."""
